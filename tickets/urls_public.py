from django.urls import path

from tickets.views import attachments, customer

urlpatterns = [
    path("support/", customer.support_form, name="support"),
    path("support/thanks/", customer.support_thanks, name="support_thanks"),
    path("support/link/", customer.fresh_link, name="fresh_link"),
    path("t/<str:token>/", customer.follow, name="follow"),
    path("t/<str:token>/files/<int:pk>/", attachments.follow_attachment_download, name="follow_attachment"),
    path("my/tickets/", customer.my_tickets, name="my_tickets"),
    path("my/tickets/<str:reference>/", customer.my_ticket, name="my_ticket"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment"),
]
