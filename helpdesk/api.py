"""One error contract for the whole API: every failure is JSON with a `code` and a `detail`."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import server_error as html_server_error
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": exc.detail}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):  # Django's own exceptions carry no DRF code: give them theirs
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "detail": _("Invalid input."), "errors": response.data}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = {"code": codes if isinstance(codes, str) else "error", "detail": detail}
    return response


API_PATH_PREFIX = "/api/"


def server_error(request, *args, **kwargs):
    """handler500: under /api/ the error contract holds for crashes too (JSON, never an HTML page)."""
    if request.path.startswith(API_PATH_PREFIX):
        detail = str(exceptions.APIException.default_detail)
        return JsonResponse({"code": "server_error", "detail": detail}, status=500)
    return html_server_error(request, *args, **kwargs)
