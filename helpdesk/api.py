"""One error contract for the whole API: every failure is JSON with a `code` and a `detail`."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found as html_page_not_found
from django.views.defaults import server_error as html_server_error
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.errors import DomainError


class ErrorSerializer(serializers.Serializer):
    """The one API error contract: a stable `code` and a human `detail` (the `Error` schema component)."""

    code = serializers.CharField(help_text=_lazy("Stable machine-readable error code."))
    detail = serializers.CharField(help_text=_lazy("Human-readable explanation, in the user's language."))
    errors = serializers.DictField(
        required=False, help_text=_lazy("Per-field messages, present when the input was invalid.")
    )

    class Meta:
        ref_name = "Error"


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


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Every URL under /api/ that names no endpoint: the error contract, in DEBUG too (where Django would
    show its technical HTML page instead of handler404)."""
    return JsonResponse({"code": "not_found", "detail": str(exceptions.NotFound.default_detail)}, status=404)


def page_not_found(request, exception, *args, **kwargs):
    """handler404: a URL under /api/ that names nothing answers the error contract, not an HTML page."""
    if request.path.startswith(API_PATH_PREFIX):
        return api_not_found(request)
    return html_page_not_found(request, exception, *args, **kwargs)


def server_error(request, *args, **kwargs):
    """handler500: under /api/ the error contract holds for crashes too (JSON, never an HTML page)."""
    if request.path.startswith(API_PATH_PREFIX):
        detail = str(exceptions.APIException.default_detail)
        return JsonResponse({"code": "server_error", "detail": detail}, status=500)
    return html_server_error(request, *args, **kwargs)


def refuse_unknown_parameters(request, known) -> None:
    """A query parameter the endpoint does not know is a 400, not silently ignored (a typo, or a filter
    the endpoint lacks, would otherwise return everything as if it had matched)."""
    unknown = sorted(name for name in request.query_params if name not in known)
    if unknown:
        message = _("Unknown parameter. This endpoint takes: %(known)s.") % {"known": ", ".join(sorted(known))}
        raise exceptions.ValidationError({name[:100]: [message] for name in unknown[:20]})


class DeskPagination(PageNumberPagination):
    """Every list of the API: pages of 25 (`page`), and no query parameter the list does not know.

    The known ones are the view's filters (`filterset_class`), `extra_query_parameters` if it declares
    any, `page` and `format`. One place, so that every list endpoint behaves alike.
    """

    ALWAYS_KNOWN = frozenset({"format"})

    def known_parameters(self, view) -> set[str]:
        known = {self.page_query_param, *self.ALWAYS_KNOWN, *getattr(view, "extra_query_parameters", ())}
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and getattr(view, "action", "list") == "list":  # not a detail's sub-list
            known.update(filterset_class.base_filters)
        return known

    def paginate_queryset(self, queryset, request, view=None):
        refuse_unknown_parameters(request, self.known_parameters(view))
        pages = request.query_params.getlist(self.page_query_param)
        if len(pages) > 1 or (pages and not (pages[0].isascii() and pages[0].isdigit()) and pages[0] != "last"):
            raise exceptions.ValidationError({self.page_query_param: [str(self.invalid_page_message)]})
        return super().paginate_queryset(queryset, request, view)
