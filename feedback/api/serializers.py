"""Serializers of the feedback API: thin shapes; every write goes through feedback.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feedback.models import AgentPulse, Rating, Survey


class RatingSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    agent = serializers.SerializerMethodField()
    queue = serializers.CharField(source="queue.slug", read_only=True, default=None)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "ticket",
            "stars",
            "label",
            "follow_up",
            "comment",
            "agent",
            "queue",
            "ticket_kind",
            "company",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_agent(self, obj) -> str | None:
        if obj.agent is None:
            return None
        return obj.agent.get_full_name() or obj.agent.get_username()


class SurveyRatingSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Rating
        fields = ["stars", "label", "follow_up", "comment", "created_at", "updated_at"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    rating = serializers.SerializerMethodField()
    # How its email is going: the survey's delivery in the outbox (none for a skipped survey).
    due_at = serializers.DateTimeField(source="delivery.due_at", read_only=True, default=None)
    attempts = serializers.IntegerField(source="delivery.attempts", read_only=True, default=0)

    class Meta:
        model = Survey
        fields = [
            "ticket",
            "state",
            "skip_reason",
            "due_at",
            "sent_at",
            "answered_at",
            "expires_at",
            "attempts",
            "created_at",
            "rating",
        ]
        read_only_fields = fields

    @extend_schema_field(SurveyRatingSerializer(allow_null=True))
    def get_rating(self, obj):
        rating = getattr(obj, "rating", None)
        return SurveyRatingSerializer(rating).data if rating else None


class StaffSurveySerializer(SurveySerializer):
    last_error = serializers.CharField(source="delivery.last_error", read_only=True, default="")
    message_id = serializers.CharField(source="delivery.message_id", read_only=True, default="")

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "last_error", "message_id"]
        read_only_fields = fields


class PublicRatingInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=1000)
    stars = serializers.IntegerField(min_value=1, max_value=5)
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class PulseSerializer(serializers.ModelSerializer):
    ticket = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = AgentPulse
        fields = ["id", "kind", "ticket", "score", "note", "skipped", "week", "created_at", "answered_at"]
        read_only_fields = fields


class PulseInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AgentPulse.Kind.choices, default=AgentPulse.Kind.TICKET)
    ticket = serializers.CharField(required=False, help_text="Ticket reference (for a ticket pulse).")
    score = serializers.IntegerField(min_value=1, max_value=5)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    week = serializers.DateField(required=False, help_text="Any day of the week (weekly pulse); default this week.")

    def validate(self, attrs):
        if attrs["kind"] == AgentPulse.Kind.TICKET and not attrs.get("ticket"):
            raise serializers.ValidationError({"ticket": "A ticket pulse names its ticket."})
        return attrs
