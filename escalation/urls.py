from django.urls import path

from escalation import views

app_name = "escalation"

urlpatterns = [
    path("escalations/", views.inbox, name="inbox"),
    path("escalations/remedies/", views.remedies, name="remedies"),
    path("escalations/remedies/<int:pk>/decide/", views.remedy_decide, name="remedy_decide"),
    path("escalations/ticket/<str:reference>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("escalations/ticket/<str:reference>/remedy/", views.ticket_remedy, name="ticket_remedy"),
    path("escalations/<int:pk>/", views.detail, name="detail"),
    path("escalations/<int:pk>/<slug:action>/", views.act, name="act"),
]
