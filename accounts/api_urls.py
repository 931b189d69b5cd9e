from django.urls import path

from accounts.api import ApiTokenView

urlpatterns = [
    path("auth/token/", ApiTokenView.as_view(), name="api-token"),
]
