"""Forms of the agent's workspace. They parse and validate; the views hand the result to the services.

Every form that changes a ticket carries the ticket's `version` as a hidden field: the services
refuse the change (StaleTicket) when someone else saved the ticket after this form was drawn.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets import follow_up
from tickets.forms.fields import MessageField
from tickets.forms.public import AttachmentField
from tickets.models import Message, Queue, Ticket
from tickets.selectors_workspace import assignee_choices, macros_for, queues_for_create
from tickets.services.lifecycle import allowed_transitions

MAX_TAGS = 20
# The most tickets one bulk status change may name: the page's form and the API (tickets/api) alike.
MAX_BULK_TICKETS = 500
# The statuses an agent moves tickets to from the list (New is only ever a ticket's first status).
BULK_STATUSES = (Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
MAX_DB_ID = 2**63 - 1


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    id_prefix = "ticket"  # several of these forms share one page: their element ids must not clash

    def __init__(self, *args, ticket: Ticket, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", ticket.version)
        super().__init__(*args, **kwargs)
        self.ticket = ticket


class ReplyForm(VersionedForm):
    """A public reply or an internal note; optionally a canned reply inserted into the text first."""

    id_prefix = "reply"

    kind = forms.ChoiceField(
        label=_("Type"), choices=Message.Kind.choices, initial=Message.Kind.REPLY, widget=forms.RadioSelect
    )
    body = MessageField(label=_("Message"), required=False)
    macro = forms.ModelChoiceField(label=_("Canned reply"), queryset=None, required=False,
                                   empty_label=_("Choose a canned reply…"))
    # Sent with the message: the only field change a reply carries, refused when the page is stale
    # (see services.message_add). Every status validates; the life cycle refuses illegal moves.
    status = forms.ChoiceField(label=_("After sending"), required=False,
                               choices=[("", _("Keep the status")), *Ticket.Status.choices])
    attachment = AttachmentField()

    def __init__(self, *args, ticket: Ticket, user, macros=None, **kwargs):
        super().__init__(*args, ticket=ticket, **kwargs)
        allowed = set(allowed_transitions(ticket))
        self.fields["status"].widget.choices = [
            (value, label) for value, label in self.fields["status"].choices if not value or value in allowed
        ]
        field = self.fields["macro"]
        field.queryset = macros_for(user, ticket)
        if macros is not None:  # already loaded by the page: offer them without querying again
            field.choices = [("", field.empty_label), *((m.pk, str(m)) for m in macros)]
        field.widget.attrs["data-macro-select"] = ""

    def clean_body(self) -> str:
        return (self.cleaned_data.get("body") or "").strip()

    def require_body(self) -> bool:
        """Sending (unlike inserting a canned reply) needs some text."""
        if not self.cleaned_data.get("body"):
            self.add_error("body", _("Write a message before sending it."))
            return False
        return True


class TicketPropertiesForm(VersionedForm):
    """Status, priority, kind, queue and assignee, changed together in one versioned update."""

    id_prefix = "props"

    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Ticket.Kind.choices)
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=None, empty_label=None)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False,
                                      empty_label=_("Unassigned"))
    def __init__(self, *args, ticket: Ticket, user, allowed_statuses: list[str], queues=None, staff=None,
                 **kwargs):
        """`queues` and `staff`: the options, when the page has loaded them already (no second query)."""
        kwargs.setdefault("initial", {}).update(
            status=ticket.status, priority=ticket.priority, kind=ticket.kind, queue=ticket.queue_id,
            assignee=ticket.assignee_id,
        )
        super().__init__(*args, ticket=ticket, **kwargs)
        # Every status validates (an illegal move is refused by the life cycle with its own clear
        # message); only the current status and the legal next ones are offered.
        offered = {ticket.status, *allowed_statuses}
        self.fields["status"].widget.choices = [(v, lbl) for v, lbl in Ticket.Status.choices if v in offered]
        self.fields["queue"].queryset = queues_for_create(user)
        self.fields["assignee"].queryset = assignee_choices(ticket)
        self.fields["assignee"].label_from_instance = _person
        if queues is not None:
            self.fields["queue"].choices = [(q.pk, str(q)) for q in queues]
        if staff is not None:
            self.fields["assignee"].choices = [("", self.fields["assignee"].empty_label),
                                               *((u.pk, _person(u)) for u in staff)]
        for field in self.visible_fields():
            field.field.widget.attrs.setdefault("class", "form-select form-select-sm")
        if Ticket.Status.RESOLVED in allowed_statuses:  # else nothing to resolve from here
            add_no_follow_up_field(self, many=False)

    def choice_fields(self):
        """The select boxes (the template writes them); the no-follow-up reason is a text box of its own."""
        return [field for field in self.visible_fields() if field.name != NO_FOLLOW_UP]

    def clean_no_follow_up_reason(self) -> str:
        return follow_up.clean_reason(self.cleaned_data.get(NO_FOLLOW_UP))


class TagsForm(VersionedForm):
    id_prefix = "tags"
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000,
        help_text=_("Separate tags with commas, e.g. billing, vip."),
    )

    def __init__(self, *args, ticket: Ticket, tag_names: list[str], **kwargs):
        kwargs.setdefault("initial", {})["tags"] = ", ".join(tag_names)
        super().__init__(*args, ticket=ticket, **kwargs)

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        names = []
        for part in raw.split(","):
            name = "-".join(part.strip().lower().split())
            if not name:
                continue
            if len(name) > 50:
                raise forms.ValidationError(_("A tag has at most 50 characters: %(tag)s"), params={"tag": name})
            if name not in names:
                names.append(name)
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("A ticket has at most %(n)d tags."), params={"n": MAX_TAGS})
        return names


class TakeForm(VersionedForm):
    """Assign the ticket to me."""

    id_prefix = "take"


class TicketCreateForm(forms.Form):
    """An agent opens a ticket for a customer on the phone."""

    customer_email = forms.EmailField(label=_("Customer's email"))
    customer_name = forms.CharField(label=_("Customer's name"), max_length=200, required=False,
                                    help_text=_("Used when this email is new to the desk."))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = MessageField(label=_("What the customer said"))
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=None, empty_label=None)
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices,
                                 initial=Ticket.Priority.NORMAL)
    kind = forms.ChoiceField(label=_("Kind"), choices=Ticket.Kind.choices, initial=Ticket.Kind.QUESTION)
    assign_to_me = forms.BooleanField(label=_("Assign to me"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        queue = self.fields["queue"]
        queue.queryset = queues_for_create(user)
        default = queue.queryset.filter(is_default=True).first()
        if default is not None:
            queue.initial = default.pk
        elif not Queue.objects.exists():  # a fresh desk: the first ticket makes the default queue (ticket_create)
            queue.required = False
            queue.empty_label = _("A new default queue, made with this ticket")

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"].strip()
        if not subject:
            raise forms.ValidationError(_("Give the ticket a subject."))
        return subject


class TicketIdsField(forms.Field):
    """The ticket ids ticked in the list: whole numbers, each once, at most MAX_BULK_TICKETS."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one ticket."),
        "invalid": _("The selection was not understood. Reload the list and select the tickets again."),
    }

    def to_python(self, value) -> list[int]:
        if value in self.empty_values:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        ids: list[int] = []
        for item in value:
            text = str(item).strip()
            # ASCII digits only ("²" is a digit to str.isdigit and not to int()), within the id column's range.
            if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_DB_ID:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > MAX_BULK_TICKETS:
            raise forms.ValidationError(
                ngettext(
                    "Select at most %(max)d ticket at a time (you selected %(count)d).",
                    "Select at most %(max)d tickets at a time (you selected %(count)d).",
                    MAX_BULK_TICKETS,
                ) % {"max": MAX_BULK_TICKETS, "count": len(value)},
                code="too_many",
            )


class BulkStatusForm(forms.Form):
    """Move the tickets ticked in the list to one status (services.tickets_transition).

    The row checkboxes live in the table and belong to this form through their `form` attribute.
    Which of the ids the agent may see is the view's business (selectors.visible_to).
    """

    tickets = TicketIdsField()
    status = forms.ChoiceField(
        label=_("Set status to"),
        choices=[("", _("Choose a status…")), *((s.value, s.label) for s in BULK_STATUSES)],
        error_messages={"required": _("Choose the status to set.")},
    )
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["reason"].widget.attrs["class"] = "form-control form-control-sm"
        add_no_follow_up_field(self, many=True)

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()

    def clean(self):
        data = super().clean()
        # Only a resolution is followed up: with any other change there is nothing to resolve without.
        resolving = data.get("status") == Ticket.Status.RESOLVED
        data[NO_FOLLOW_UP] = follow_up.clean_reason(data.get(NO_FOLLOW_UP)) if resolving else ""
        return data

    def submitted_ids(self) -> set[int]:
        """The ids the agent ticked, as far as they parse (to tick them again when the form is refused)."""
        raw = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        return {int(v) for v in raw if str(v).isascii() and str(v).isdigit() and 0 < int(v) <= MAX_DB_ID}


NO_FOLLOW_UP = "no_follow_up_reason"


def add_no_follow_up_field(form: forms.Form, *, many: bool) -> None:
    """The reason to resolve without a follow-up, in the words of the app that follows up (tickets.follow_up);
    no field when no app does."""
    words = follow_up.words()
    if words is None:
        return
    field = forms.CharField(label=words.label, required=False, max_length=follow_up.MAX_REASON_LENGTH,
                            help_text=words.help_many if many else words.help_one)
    field.widget.attrs.update({"class": "form-control form-control-sm",
                               "aria-describedby": f"{form.auto_id % NO_FOLLOW_UP}_help"})
    form.fields[NO_FOLLOW_UP] = field


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


