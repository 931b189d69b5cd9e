"""The OpenAPI document: generated once per process and language, then served from memory.

drf-spectacular's generation is not thread-safe (its issues 1123 and 1368: "Schema generation REQUIRES a
view instance" when two requests generate at once), and a threaded server answered parallel requests with
500s. The schema is the same for everyone (public: every operation, whoever asks), so it is built lazily,
under one lock, for each language its descriptions are translated into, and kept.
"""

import threading

from django.utils import translation
from django.utils.functional import Promise
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_lock = threading.Lock()
_documents: dict[tuple[str | None, str | None], dict] = {}


def _resolved(value):
    """The document with every lazy translation turned into text in the active language, so that a
    cached copy never changes language when it is rendered later."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {_resolved(key): _resolved(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_resolved(item) for item in value]
    return value


def clear_cache() -> None:
    with _lock:
        _documents.clear()


class CachedSchemaView(SpectacularAPIView):
    """SpectacularAPIView, generating each language's document once."""

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        document = _documents.get(key)
        if document is None:
            with _lock:
                document = _documents.get(key)
                if document is None:
                    generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                    document = _resolved(generator.get_schema(request=None, public=self.serve_public))
                    _documents[key] = document
        return Response(
            data=document,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
