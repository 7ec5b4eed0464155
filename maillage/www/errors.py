from django.shortcuts import render

from maillage.core.bounds import BadInput


def bad_request(request, exception=None):
    # Our own refusals (BadInput) say in French what was wrong; Django's (a suspicious host, a
    # malformed upload…) are in English and may tell too much: those get the general sentence.
    reason = str(exception) if isinstance(exception, BadInput) else ""
    return render(request, "errors/400.html", {"reason": reason}, status=400)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
