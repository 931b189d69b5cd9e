"""The dev mail viewer (DEBUG only). Included without a namespace: templates use `sent_mail`."""

from django.urls import path

from tickets.views import sent_mail

urlpatterns = [
    path("dev/mail/", sent_mail.sent_mail_list, name="sent_mail"),
    path("dev/mail/<str:name>", sent_mail.sent_mail_detail, name="sent_mail_detail"),
]
