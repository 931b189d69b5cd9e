"""The API's token endpoint: a client trades a username and password for its token (DRF's TokenAuthentication).

Failed tries count towards the same lock as the login pages (django-axes, `helpdesk/login_throttle.py`):
the password is checked through `authenticate()` with the request, so a locked account or address gets
429 with `Retry-After` and the JSON error, as every other API error.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import api_token_issue
from helpdesk.api import ErrorSerializer
from helpdesk.errors import DomainError


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    default_message = _("Unable to log in with this username and password.")


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ApiTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["accounts"], operation_id="api_token_obtain", auth=[],
        summary=_("Get your API token"),
        description=_("Send your username and password; the answer is the token to send as "
                      "`Authorization: Token <token>`. The same token every time, until an admin revokes it. "
                      "Failed tries lock the account and the address for a while (429)."),
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("Missing fields, or a wrong username or password.")),
            429: OpenApiResponse(ErrorSerializer, description=_("Too many failed tries: wait (see Retry-After).")),
        },
    )
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # The HttpRequest itself: axes marks a locked-out try on it, and its middleware answers 429.
        user = authenticate(request._request, **credentials.validated_data)
        if user is None:
            raise InvalidCredentials()
        return Response({"token": api_token_issue(user=user)})
