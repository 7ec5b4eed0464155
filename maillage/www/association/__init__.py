"""The association's pages (issue 16): the coordination's under /c/<slug>/association/, the
members' space under /c/<slug>/adherent/, the request to join on the CPTS's public page."""
