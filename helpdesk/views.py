"""The project's own pages: the favicon, the health check and the rate-limit answer. Apps' pages live
in the apps (the start page and account pages in `accounts`)."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static


def favicon(request):
    """Browsers ask for /favicon.ico on their own (API responses, pages without a <link rel=icon>)."""
    return redirect(static("favicon.ico"))


def healthz(request):
    return JsonResponse({"status": "ok"})


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)
