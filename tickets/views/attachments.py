"""Attachment downloads, permission-checked: always a download, never rendered by the browser."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from tickets import selectors
from tickets.attachments import served_content_type
from tickets.models import Attachment, Message
from tickets.roles import is_staff_member
from tickets.tokens import ticket_for_follow_token


def _is_public(attachment: Attachment) -> bool:
    """Files of the ticket itself and of public replies; never those of internal notes."""
    return attachment.message_id is None or attachment.message.kind == Message.Kind.REPLY


def _download(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError) as exc:  # the file is gone from storage: a 404, never a 500
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=served_content_type(attachment)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_download(request, pk: int):
    """For staff who can see the ticket, and for the ticket's customer (not files of internal notes)."""
    attachment = (
        Attachment.objects.select_related("message")
        .filter(pk=pk, ticket__in=selectors.visible_to(request.user))
        .first()
    )
    if attachment is None or not (is_staff_member(request.user) or _is_public(attachment)):
        raise Http404
    return _download(attachment)


def follow_attachment_download(request, token: str, pk: int):
    """For whoever holds the ticket's follow link: the ticket's public files only."""
    ticket, _status = ticket_for_follow_token(token)
    if ticket is None:
        raise Http404
    attachment = Attachment.objects.select_related("message").filter(pk=pk, ticket=ticket).first()
    if attachment is None or not _is_public(attachment):
        raise Http404
    return _download(attachment)
