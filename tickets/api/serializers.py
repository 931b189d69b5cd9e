"""What the tickets API sends out: tickets, messages and the result of a bulk change.

What comes in is `tickets.api.inputs`. `PersonSummarySerializer`, `CustomerSummarySerializer` and
`person_name` are the shapes other apps' APIs reuse.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.roles import is_staff_member
from tickets.api.fields import (
    channel_field,
    kind_field,
    language_field,
    message_kind_field,
    priority_field,
    status_field,
)
from tickets.models import Message, Ticket
from tickets.services import allowed_transitions

User = get_user_model()


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


class PersonSummarySerializer(serializers.Serializer):
    """A member of the desk's staff, the same shape wherever one appears (assignee, agent, handler, actor)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PersonSummary"

    def get_name(self, user) -> str:
        return person_name(user)


class CustomerSummarySerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    # Not `format: email`: addresses arrive by email intake as the sender wrote them, not all RFC-valid.
    email = serializers.CharField(read_only=True, help_text=_("The address the customer writes from."))

    class Meta:
        ref_name = "CustomerSummary"


class TicketLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    messages = serializers.URLField()
    web = serializers.URLField(help_text=_("The ticket's page for the requester (workspace or customer page)."))


class TicketSerializer(serializers.ModelSerializer):
    status = status_field(read_only=True)
    priority = priority_field(read_only=True)
    kind = kind_field(read_only=True)
    channel = channel_field(read_only=True)
    language = language_field(read_only=True)
    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee = PersonSummarySerializer(allow_null=True, read_only=True)
    customer = CustomerSummarySerializer(read_only=True)
    tags = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "reference", "subject", "description", "status", "priority", "kind", "channel", "language",
            "queue", "assignee", "customer", "tags", "created_at", "updated_at", "first_response_at",
            "resolved_at", "closed_at", "reopen_count", "version", "allowed_transitions", "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, ticket: Ticket) -> list[str]:
        return sorted(tag.name for tag in ticket.tags.all())  # prefetched by the view

    @extend_schema_field(serializers.ListField(child=status_field()))
    def get_allowed_transitions(self, ticket: Ticket) -> list[str]:
        """The statuses the requester could PATCH this ticket to: none for customers, who only reply."""
        request = self.context.get("request")
        if request is not None and not is_staff_member(request.user):
            return []
        return allowed_transitions(ticket)

    @extend_schema_field(TicketLinksSerializer)
    def get_links(self, ticket: Ticket) -> dict:
        request = self.context.get("request")
        kwargs = {"reference": ticket.reference}
        staff = request is None or is_staff_member(request.user)
        links = {
            "self": reverse("api-tickets-detail", kwargs=kwargs),
            "messages": reverse("api-tickets-messages", kwargs=kwargs),
            "web": reverse("tickets:detail" if staff else "tickets:my_ticket", kwargs=kwargs),
        }
        if request is not None:
            links = {name: request.build_absolute_uri(url) for name, url in links.items()}
        return links


class MessageAuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    is_staff = serializers.BooleanField(help_text=_("True for the desk's staff, false for the customer."))


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    url = serializers.URLField(help_text=_("Download link (permission-checked, for a logged-in user)."))


class MessageSerializer(serializers.ModelSerializer):
    kind = message_kind_field(read_only=True)
    channel = channel_field(read_only=True)
    author = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    # A note the desk composed is rendered in the reader's language (Message.phrase), then what was typed.
    body = serializers.CharField(source="body_display", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "kind", "body", "author", "channel", "created_at", "attachments"]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message: Message) -> list[dict]:
        request = self.context.get("request")
        files = []
        for attachment in message.attachments.all():  # prefetched by selectors.messages_visible_to
            url = reverse("tickets:attachment", kwargs={"pk": attachment.pk})
            files.append({
                "id": attachment.pk, "filename": attachment.filename, "content_type": attachment.content_type,
                "size": attachment.size, "url": request.build_absolute_uri(url) if request is not None else url,
            })
        return files

    @extend_schema_field(MessageAuthorSerializer(allow_null=True))
    def get_author(self, message: Message):
        if message.author_user is not None:
            return {"name": person_name(message.author_user), "is_staff": True}
        if message.author_customer is not None:
            return {"name": message.author_customer.name, "is_staff": False}
        return None


class BulkStatusResultSerializer(serializers.Serializer):
    changed = serializers.ListField(child=serializers.CharField(), help_text=_("References moved to the status."))
    unchanged = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("References left as they were: their status does not allow the change, or no ticket you "
                    "can see has that reference."),
    )
