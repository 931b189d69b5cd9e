"""The tickets app's pages: public (customers) and workspace (staff), each in its own module."""

from tickets import urls_public, urls_workspace

app_name = "tickets"

urlpatterns = [*urls_public.urlpatterns, *urls_workspace.urlpatterns]
