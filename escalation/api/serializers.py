"""Thin serializers: shapes of input and output; the services do the work."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from escalation.models import Escalation, EscalationEvent, Remedy, RemedyKind

User = get_user_model()


class EscalationPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


def _one_of(choices) -> str:
    return "One of: " + ", ".join(str(value) for value, _label in choices) + "."


# `state` and `kind` are plain strings in the schema (values listed in the description): other apps
# use the same field names for other choice sets, and the schema must stay free of enum collisions.


class EscalationEventSerializer(serializers.ModelSerializer):
    actor = EscalationPersonSerializer(allow_null=True, read_only=True)
    note = serializers.CharField(source="note_display", read_only=True,
                                 help_text="What happened, in the reader's language, with what the person typed.")
    kind = serializers.CharField(read_only=True, help_text=_one_of(EscalationEvent.Kind.choices))

    class Meta:
        model = EscalationEvent
        fields = ["kind", "trigger", "actor", "note", "seconds_since_raised", "created_at"]


class EscalationSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    ticket_subject = serializers.CharField(source="ticket.subject", read_only=True)
    customer = serializers.CharField(source="ticket.customer.name", read_only=True)
    assigned_to = EscalationPersonSerializer(allow_null=True, read_only=True)
    agent = EscalationPersonSerializer(allow_null=True, read_only=True)
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


class EscalateInputSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=Escalation.Reason.choices)
    reason_text = serializers.CharField(max_length=2000)
    tried = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class GuidanceInputSerializer(serializers.Serializer):
    guidance = serializers.CharField(max_length=4000)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReassignInputSerializer(serializers.Serializer):
    to_user = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RemedySerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    proposed_by = EscalationPersonSerializer(read_only=True)
    decided_by = EscalationPersonSerializer(allow_null=True, read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_one_of(RemedyKind.choices))
    state = serializers.CharField(read_only=True, help_text=_one_of(Remedy.State.choices))

    class Meta:
        model = Remedy
        fields = ["id", "ticket", "kind", "amount", "currency", "reason", "state", "limit_amount", "proposed_by",
                  "decided_by", "decided_at", "note", "escalation", "created_at"]
        read_only_fields = fields


class RemedyInputSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=20, help_text=_one_of(RemedyKind.choices))
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, default="EUR")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_kind(self, value: str) -> str:
        if value not in RemedyKind.values:
            raise serializers.ValidationError(_one_of(RemedyKind.choices))
        return value
