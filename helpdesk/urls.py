from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from helpdesk import accounts, api, i18n, views
from helpdesk.schema_view import CachedSchemaView

api_v1 = [
    path("", include("tickets.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("escalation.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Browsers ask for /favicon.ico on their own (API responses, pages without a <link rel=icon>).
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", i18n.set_language, name="set_language"),  # also saves a user's choice
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),  # generated once per language
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    re_path(r"^api/.+/\Z", api.api_not_found),  # any other /api/ URL: JSON 404 (slash-less ones still redirect)
    path("dev/mail/", views.sent_mail_list, name="sent_mail"),
    path("dev/mail/<str:name>", views.sent_mail_detail, name="sent_mail_detail"),
    path("", include("tickets.urls")),
    path("", include("feedback.urls")),
    path("", include("escalation.urls")),
]
handler404 = "helpdesk.api.page_not_found"  # JSON under /api/, the HTML page elsewhere
handler500 = "helpdesk.api.server_error"
# Media files are never served from a public URL: attachments go through a permission-checked view.
