from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from helpdesk import api, views
from helpdesk.schema_view import CachedSchemaView

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("tickets.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("escalation.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on their own (API responses, pages without a <link rel=icon>).
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),  # generated once per language
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    re_path(r"^api/.+/\Z", api.api_not_found),  # any other /api/ URL: JSON 404 (slash-less ones still redirect)
    path("", include("accounts.urls")),  # the start page, login, password reset, language switcher
    path("", include("tickets.urls_dev")),  # the dev mail viewer
    path("", include("tickets.urls")),
    path("", include("feedback.urls")),
    path("", include("escalation.urls")),
    path("", include("reports.urls")),
]
handler404 = "helpdesk.api.page_not_found"  # JSON under /api/, the HTML page elsewhere
handler500 = "helpdesk.api.server_error"
# Media files are never served from a public URL: attachments go through a permission-checked view.
