"""What a form posted from a page (not re-rendered with its errors) tells the person: its errors as
the page's messages, once the view redirects back to the page."""

from django.contrib import messages


def form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
