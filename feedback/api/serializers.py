"""Serializers of the feedback API: thin shapes; every write goes through feedback.services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feedback.models import AgentPulse, Rating, RatingChange, Survey
from helpdesk.api_input import StrictInputSerializer
from helpdesk.dates import ApiDateField
from tickets.api.serializers import PersonSummarySerializer


class RatingSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    agent = PersonSummarySerializer(allow_null=True, read_only=True)
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


class RatingChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingChange
        fields = ["stars", "comment", "follow_up", "changed_at"]
        read_only_fields = fields


class RatingDetailSerializer(RatingSerializer):
    """One rating with its history: every value it ever had, the first one included, oldest first."""

    history = RatingChangeSerializer(source="changes", many=True, read_only=True)

    class Meta(RatingSerializer.Meta):
        fields = [*RatingSerializer.Meta.fields, "history"]
        read_only_fields = fields


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
    """The survey as staff see it; its customer gets the same without the staff-only fields (so they are
    documented as optional). Both come from its email's row in the outbox (none for a skipped survey)."""

    last_error = serializers.CharField(source="delivery.last_error", required=False, allow_null=True,
                                       help_text=_("Staff only: why the last send failed."))
    message_id = serializers.CharField(source="delivery.message_id", required=False, allow_null=True,
                                       help_text=_("Staff only: the sent email's Message-ID."))

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "last_error", "message_id"]


class PublicRatingInSerializer(StrictInputSerializer):
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


class PulseInSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=AgentPulse.Kind.choices, default=AgentPulse.Kind.TICKET)
    ticket = serializers.CharField(required=False, help_text="Ticket reference (for a ticket pulse).")
    score = serializers.IntegerField(min_value=1, max_value=5)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    week = ApiDateField(required=False, help_text="Any day of the week (weekly pulse); default this week.")

    def validate(self, attrs):
        if attrs["kind"] == AgentPulse.Kind.TICKET and not attrs.get("ticket"):
            raise serializers.ValidationError({"ticket": "A ticket pulse names its ticket."})
        return attrs
