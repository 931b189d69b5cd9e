"""What comes in to the tickets API: input serializers that only validate.

The view hands their data to `tickets.services`, the one writer. Unknown fields are refused (400), so a
typo never silently does nothing. What goes out is `tickets.api.serializers`.
"""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.roles import is_staff_member
from helpdesk.api_input import StrictInputSerializer
from tickets import attachments, follow_up, selectors
from tickets.api.fields import (
    NamedChoiceField,
    kind_field,
    language_field,
    message_kind_field,
    priority_field,
    status_field,
)
from tickets.exceptions import InvalidAttachment
from tickets.forms.workspace import BULK_STATUSES, MAX_BULK_TICKETS
from tickets.models import Message

User = get_user_model()

MAX_DESCRIPTION = settings.MESSAGE_MAX_LENGTH  # one limit on every channel (web, composer, API, email)
MAX_BODY = settings.MESSAGE_MAX_LENGTH
MAX_TAGS = 20
MAX_VERSION = 2**31 - 1
TAG_RE = re.compile(r"^[-\w]+\Z")


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
