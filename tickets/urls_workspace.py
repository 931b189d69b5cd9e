from django.urls import path

from tickets.views import workspace

urlpatterns = [
    path("tickets/", workspace.ticket_list, name="list"),
    path("tickets/new/", workspace.ticket_create, name="create"),
    # Before `tickets/<str:reference>/`, which would otherwise take "bulk-status" for a reference.
    path("tickets/bulk-status/", workspace.ticket_bulk_status, name="bulk_status"),
    path("tickets/<str:reference>/", workspace.ticket_detail, name="detail"),
    path("tickets/<str:reference>/reply/", workspace.ticket_reply, name="reply"),
    path("tickets/<str:reference>/update/", workspace.ticket_update, name="update"),
    path("tickets/<str:reference>/take/", workspace.ticket_take, name="take"),
    path("tickets/<str:reference>/tags/", workspace.ticket_tags, name="tags"),
]
