"""FHIR R4 read and search endpoints in the shapes of the national Annuaire Santé (ANS), /fhir/.

Public open data only: what the RPPS and FINESS extractions publish. Nothing a CPTS adds to the
directory (languages, skills, MSSanté, new patients) is ever written into a resource here.
"""
