from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from helpdesk import views

api_v1 = [
    path("", include("tickets.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("escalation.api.urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on their own (API responses, pages without a <link rel=icon>).
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("", include("accounts.urls")),  # the start page, login, password reset, language switcher
    path("", include("tickets.urls_dev")),  # the dev mail viewer
    path("", include("tickets.urls")),
    path("", include("feedback.urls")),
    path("", include("escalation.urls")),
]
# Media files are never served from a public URL: attachments go through a permission-checked view.
