"""Shapes of the tickets API: what goes out (read serializers) and what comes in (input serializers).

Input serializers only validate; the view hands their data to `tickets.services`, the one writer.
Unknown fields are refused (400), so a typo never silently does nothing.
"""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from helpdesk.api import ErrorSerializer
from helpdesk.api_input import StrictInputSerializer
from tickets import attachments, follow_up, selectors
from tickets.exceptions import InvalidAttachment
from tickets.forms.workspace import BULK_STATUSES, MAX_BULK_TICKETS
from tickets.models import Message, Ticket
from tickets.roles import is_staff_member
from tickets.services import allowed_transitions

User = get_user_model()

MAX_DESCRIPTION = settings.MESSAGE_MAX_LENGTH  # one limit on every channel (web, composer, API, email)
MAX_BODY = settings.MESSAGE_MAX_LENGTH
MAX_TAGS = 20
MAX_VERSION = 2**31 - 1
TAG_RE = re.compile(r"^[-\w]+\Z")


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=50)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_TAGS)
        kwargs.setdefault("help_text", _("Tag names (letters, digits, '-' and '_'); replaces the current tags."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        names = super().to_internal_value(data)
        cleaned = []
        for name in names:
            name = name.strip().lower()
            if not TAG_RE.match(name):
                raise serializers.ValidationError(
                    _("“%(tag)s” is not a valid tag: use letters, digits, '-' and '_'.") % {"tag": name[:50]}
                )
            cleaned.append(name)
        return cleaned


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum component (TicketStatusEnum, ...).

    drf-spectacular otherwise names enums after the field (`kind`, `status`), which collides as soon as
    two apps (or tickets and messages) use the same field name for different choice sets.
    """

    def __init__(self, *, component_name: str, **kwargs):
        self.component_name = component_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = build_choice_field(field)
        schema.pop("x-spec-enum-id", None)
        schema["enum"] = [value for value in schema["enum"] if value not in ("", None)]
        component = ResolvedComponent(
            name=field.component_name, type=ResolvedComponent.SCHEMA, object=field.component_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_null:
            return {"oneOf": [component.ref], "nullable": True}
        return component.ref


def status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Status.choices, component_name="TicketStatusEnum", **kwargs)


def priority_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Priority.choices, component_name="TicketPriorityEnum", **kwargs)


def kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Kind.choices, component_name="TicketKindEnum", **kwargs)


def channel_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Channel.choices, component_name="TicketChannelEnum", **kwargs)


def language_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=settings.LANGUAGES, component_name="LanguageCodeEnum", **kwargs)


def message_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Message.Kind.choices, component_name="MessageKindEnum", **kwargs)


# --- Output ------------------------------------------------------------------------------------------


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


# --- Input -------------------------------------------------------------------------------------------


def with_no_follow_up_field(fields: dict, **kwargs) -> dict:
    """`fields` and the reason to resolve without a follow-up (tickets.follow_up), named as the app that follows
    up names it for the API's clients; it reaches the view as `no_follow_up_reason`. None without such an app."""
    words = follow_up.words()
    if words is not None:
        if words.api_field != "no_follow_up_reason":
            kwargs["source"] = "no_follow_up_reason"
        fields[words.api_field] = serializers.CharField(
            required=False, allow_blank=True, max_length=follow_up.MAX_REASON_LENGTH, trim_whitespace=True,
            help_text=words.api_help, **kwargs,
        )
    return fields


def active_user(user_id: int):
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise serializers.ValidationError(_("No such user."))
    return user


class TicketCreateSerializer(StrictInputSerializer):
    """Customers open their own tickets; staff open one on a customer's behalf (customer_email)."""

    STAFF_ONLY = ("customer_email", "customer_name", "queue", "priority", "tags", "assignee")

    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_DESCRIPTION)
    kind = kind_field(required=False)
    language = language_field(required=False)
    priority = priority_field(required=False, help_text=_("Staff only."))
    queue = serializers.SlugField(max_length=50, required=False, help_text=_("Queue slug. Staff only."))
    tags = TagListField(required=False)
    customer_email = serializers.EmailField(max_length=254, required=False,
                                            help_text=_("Staff only, and then required: who the ticket is for."))
    customer_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                          help_text=_("Staff only: the customer's name on first contact."))
    assignee = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False,
        help_text=_("Staff only: user id of a member of the queue's team, or of an admin, to assign it to."),
    )

    def validate_assignee(self, user_id):
        return active_user(user_id)

    def validate(self, attrs):
        user = self.context["request"].user
        if is_staff_member(user):
            if not attrs.get("customer_email"):
                raise serializers.ValidationError({"customer_email": [_("Say who the ticket is for.")]})
            if "queue" in attrs:
                queue = selectors.queues_visible_to(user).filter(slug=attrs["queue"]).first()
                if queue is None:
                    raise serializers.ValidationError({"queue": [_("No such queue.")]})
                attrs["queue"] = queue
        else:
            refused = [name for name in self.STAFF_ONLY if name in self.initial_data]
            if refused:
                raise serializers.ValidationError({name: [_("Only staff can set this field.")] for name in refused})
        return attrs


class TicketUpdateSerializer(StrictInputSerializer):
    """Staff changes to a ticket. `version` is the one the client last read (optimistic concurrency)."""

    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION,
                                       help_text=_("The ticket's version as last read; 409 if it changed since."))
    status = status_field(required=False)
    priority = priority_field(required=False)
    kind = kind_field(required=False)
    queue = serializers.SlugField(max_length=50, required=False, help_text=_("Queue slug."))
    assignee = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
        help_text=_("User id of a member of the queue's team, or of an admin; null unassigns."),
    )
    tags = TagListField(required=False)

    def get_fields(self) -> dict:
        return with_no_follow_up_field(super().get_fields())

    # A PATCH changes only the fields it sends, yet `version` is always required: this serializer is
    # never partial (and so is documented with `version` required, not as an all-optional "Patched" body).
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass

    def validate_queue(self, slug):
        queue = selectors.queues_visible_to(self.context["request"].user).filter(slug=slug).first()
        if queue is None:
            raise serializers.ValidationError(_("No such queue."))
        return queue

    def validate_assignee(self, user_id):
        return None if user_id is None else active_user(user_id)


class AttachmentUploadField(serializers.FileField):
    """One uploaded file, checked like every attachment (size, extension and content); a CheckedFile."""

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            return attachments.check_upload(upload)
        except InvalidAttachment as exc:
            raise serializers.ValidationError(str(exc.detail), code=exc.code) from exc


class MessageCreateSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=MAX_BODY)
    kind = message_kind_field(
        default=Message.Kind.REPLY,
        help_text=_("`note` (internal, staff only) or `reply` (seen by the customer)."),
    )
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, required=False,
        help_text=_("The ticket's version as last read. Required with `status`: 409 if the ticket changed "
                    "since (the message is then refused too). A message alone is accepted whatever the version."),
    )
    status = status_field(required=False, help_text=_("Staff: move the ticket to this status with the message."))
    attachments = serializers.ListField(
        child=AttachmentUploadField(), required=False, allow_empty=True,
        help_text=_("Files, sent as multipart/form-data (repeat the field for several)."),
    )

    def validate_attachments(self, files):
        try:
            attachments.check_total_size(files)
        except InvalidAttachment as exc:
            raise serializers.ValidationError(str(exc.detail), code=exc.code) from exc
        return files

    def validate(self, data):
        if data.get("status") and data.get("version") is None:
            raise serializers.ValidationError({"version": [self.fields["version"].error_messages["required"]]})
        return data


class BulkStatusSerializer(StrictInputSerializer):
    """Move many tickets to one status at once (staff)."""

    references = serializers.ListField(
        child=serializers.CharField(max_length=100, trim_whitespace=True),
        min_length=1, max_length=MAX_BULK_TICKETS,
        help_text=_("References of the tickets to change (at most 500)."),
        error_messages={
            "min_length": _("Give at least one ticket reference."),
            "max_length": _("At most {max_length} tickets can be changed at once."),
            "empty": _("Give at least one ticket reference."),
        },
    )
    status = NamedChoiceField(
        choices=[(s.value, s.label) for s in BULK_STATUSES], component_name="TicketBulkStatusEnum",
        help_text=_("The status to move the tickets to."),
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                   help_text=_("Recorded on each ticket's timeline."))

    def get_fields(self) -> dict:
        return with_no_follow_up_field(super().get_fields(), default="")

    def validate(self, data):
        data["reason"] = data["reason"].strip()
        return data


class BulkStatusResultSerializer(serializers.Serializer):
    changed = serializers.ListField(child=serializers.CharField(), help_text=_("References moved to the status."))
    unchanged = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("References left as they were: their status does not allow the change, or no ticket you "
                    "can see has that reference."),
    )


__all__ = [
    "BulkStatusResultSerializer",
    "BulkStatusSerializer",
    "ErrorSerializer",
    "MessageCreateSerializer",
    "MessageSerializer",
    "TicketCreateSerializer",
    "TicketSerializer",
    "TicketUpdateSerializer",
]
