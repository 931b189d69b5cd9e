"""Thin serializers: shapes of input and output; the services do the work."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from escalation import selectors
from escalation.models import AuthorityLimit, Escalation, EscalationEvent, Remedy, RemedyKind
from helpdesk.api_input import StrictInputSerializer
from helpdesk.dates import ApiDateField
from tickets.api.serializers import CustomerSummarySerializer, PersonSummarySerializer, person_name
from tickets.roles import Role, role_of

User = get_user_model()


def _one_of(choices) -> str:
    return "One of: " + ", ".join(str(value) for value, _label in choices) + "."


# `state` and `kind` are plain strings in the schema (values listed in the description): other apps
# use the same field names for other choice sets, and the schema must stay free of enum collisions.


class EscalationEventSerializer(serializers.ModelSerializer):
    actor = PersonSummarySerializer(allow_null=True, read_only=True)
    note = serializers.CharField(source="note_display", read_only=True,
                                 help_text="What happened, in the reader's language, with what the person typed.")
    kind = serializers.CharField(read_only=True, help_text=_one_of(EscalationEvent.Kind.choices))

    class Meta:
        model = EscalationEvent
        fields = ["kind", "trigger", "actor", "note", "seconds_since_raised", "created_at"]


class EscalationSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    ticket_subject = serializers.CharField(source="ticket.subject", read_only=True)
    customer = CustomerSummarySerializer(source="ticket.customer", read_only=True)
    assigned_to = PersonSummarySerializer(allow_null=True, read_only=True)
    agent = PersonSummarySerializer(allow_null=True, read_only=True)
    state = serializers.CharField(read_only=True, help_text=_one_of(Escalation.State.choices))
    reason_text = serializers.CharField(source="reason_display", read_only=True,
                                        help_text="Why, in the reader's language (typed words as typed).")
    routing_explanation = serializers.CharField(read_only=True, help_text="Who handles it and why, in the "
                                                                          "reader's language.")

    class Meta:
        model = Escalation
        fields = ["id", "ticket", "ticket_subject", "customer", "trigger", "reason_code", "reason_text", "tried",
                  "state", "level", "assigned_to", "agent", "routing_explanation", "rating_stars",
                  "rating_follow_up", "rating_comment",
                  "guidance", "ack_due_at", "created_at", "acknowledged_at", "resolved_at"]
        read_only_fields = fields


class EscalationDetailSerializer(EscalationSerializer):
    events = EscalationEventSerializer(many=True, read_only=True)

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "events"]
        read_only_fields = fields


class EscalateInputSerializer(StrictInputSerializer):
    reason_code = serializers.ChoiceField(choices=Escalation.Reason.choices)
    reason_text = serializers.CharField(max_length=2000)
    tried = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class GuidanceInputSerializer(StrictInputSerializer):
    guidance = serializers.CharField(max_length=4000)


class NoteInputSerializer(StrictInputSerializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReassignInputSerializer(StrictInputSerializer):
    to_user = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RemedySerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    proposed_by = PersonSummarySerializer(read_only=True)
    decided_by = PersonSummarySerializer(allow_null=True, read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_one_of(RemedyKind.choices))
    state = serializers.CharField(read_only=True, help_text=_one_of(Remedy.State.choices))

    class Meta:
        model = Remedy
        fields = ["id", "ticket", "kind", "amount", "currency", "reason", "state", "limit_amount", "proposed_by",
                  "decided_by", "decided_at", "note", "escalation", "created_at"]
        read_only_fields = fields


class RemedyInputSerializer(StrictInputSerializer):
    kind = serializers.CharField(max_length=20, help_text=_one_of(RemedyKind.choices))
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, default="EUR")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_kind(self, value: str) -> str:
        if value not in RemedyKind.values:
            raise serializers.ValidationError(_one_of(RemedyKind.choices))
        return value


class AuthorityLimitSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_one_of(RemedyKind.choices))
    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True,
                                         help_text="Queue slug; null: every queue.")
    applies_to = serializers.SerializerMethodField(help_text="`person`: yours alone; `role`: your role's.")

    class Meta:
        model = AuthorityLimit
        fields = ["kind", "max_amount", "currency", "queue", "applies_to"]
        read_only_fields = fields

    def get_applies_to(self, limit) -> str:
        return "person" if limit.user_id else "role"


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField(help_text=_one_of(Role.choices) + " Null: no role on this desk.")
    authority_limits = serializers.SerializerMethodField(
        help_text="How far you may go without approval, per remedy kind; the most specific applies "
                  "(yours before your role's, a queue's before every queue's). No limit: approval needed.")

    def get_name(self, user) -> str:
        return person_name(user)

    def get_role(self, user) -> str | None:
        role = role_of(user)
        return role.value if role else None

    @extend_schema_field(AuthorityLimitSerializer(many=True))
    def get_authority_limits(self, user) -> list:
        return AuthorityLimitSerializer(selectors.authority_limits_of(user), many=True).data


class ReportQuerySerializer(StrictInputSerializer):
    IGNORED = frozenset({"format"})

    date_from = ApiDateField(required=False)
    date_to = ApiDateField(required=False)
    queue = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1)
