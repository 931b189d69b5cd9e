"""The project's OpenAPI AutoSchema: every operation documents the error responses it can give.

`DeskAutoSchema` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds the project's error responses (the `Error`
contract of helpdesk/api.py) to every operation that does not describe its own, so that a client can rely
on every status code the API answers being in the schema. (The schema view is in helpdesk/schema_view.py:
drf-spectacular's views import this module through the settings.)
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from helpdesk.api import ErrorSerializer

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ERRORS = {
    "400": _("Invalid input: `errors` names each field or query parameter and what is wrong with it."),
    "401": _("Not authenticated."),
    "403": _("Your role does not allow this."),
    "404": _("No such object, or not one you can see (or a page past the last one)."),
    "409": _("The object changed since you read it, or its state does not allow this (see `code`): reload and "
             "try again."),
    "415": _("Unsupported media type: send JSON (or multipart/form-data where files are accepted)."),
    "429": _("Too many requests: wait a moment and try again."),
}


class DeskAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the error responses every operation can give."""

    def _error_codes(self) -> list[str]:
        codes = ["400", "403", "404", "429"]  # 403 also for a public endpoint's rate limit
        if self.view.get_authenticators():
            codes.append("401")
        if self.method in WRITE_METHODS:
            codes += ["409", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = OpenApiResponse(ErrorSerializer, description=str(ERRORS[code]))
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return dict(sorted(responses.items()))

