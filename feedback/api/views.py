"""Feedback API views: thin, on the same services and selectors as the pages."""

import django_filters
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from feedback import selectors, services
from feedback.api.serializers import (
    PublicRatingInSerializer,
    PulseInSerializer,
    PulseSerializer,
    RatingDetailSerializer,
    RatingSerializer,
    StaffSurveySerializer,
    SurveyRatingSerializer,
    SurveySerializer,
)
from feedback.exceptions import InvalidSurveyLink
from feedback.models import AgentPulse, Rating, Survey
from helpdesk.filters import DateTimeParameterFilter, IdFilter, StarsFilter, StrictBooleanFilter
from tickets.permissions import IsStaffMember
from tickets.roles import is_staff_member
from tickets.selectors import ticket_get_for_user


@extend_schema(tags=["feedback"])
class TicketSurveyView(APIView):
    """The survey of a ticket: its state, times and rating (staff of the ticket's team, or its customer)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=StaffSurveySerializer)
    def get(self, request, reference: str):
        survey = selectors.survey_for_ticket_of_user(user=request.user, reference=reference)
        if survey is None:
            raise NotFound(_("This ticket has no survey yet."))
        serializer = StaffSurveySerializer if is_staff_member(request.user) else SurveySerializer
        return Response(serializer(survey).data)


@method_decorator(ratelimit(key="ip", rate="30/m", method="POST", block=True), name="post")
@extend_schema(tags=["feedback"])
class PublicRatingView(APIView):
    """The public rating endpoint used by the survey page: the token is the only credential."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=PublicRatingInSerializer, responses={200: SurveyRatingSerializer})
    def post(self, request, reference: str):
        data = PublicRatingInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            survey = selectors.survey_from_link(reference=reference, token=data.validated_data["token"])
            if survey.state in (Survey.State.SKIPPED,):
                raise InvalidSurveyLink()
        except InvalidSurveyLink as exc:
            # The token is this endpoint's only credential: a wrong one is refused (403), whether or not the
            # ticket exists (a 404 would say the ticket is gone, and tells a client nothing true).
            return Response({"code": exc.code, "detail": exc.detail}, status=status.HTTP_403_FORBIDDEN)
        payload = {k: v for k, v in data.validated_data.items() if k != "token"}
        rating = services.rating_submit(survey_id=survey.pk, **payload)
        return Response(SurveyRatingSerializer(rating).data, status=status.HTTP_200_OK)


class RatingFilter(django_filters.FilterSet):
    stars = StarsFilter()
    stars_max = StarsFilter(field_name="stars", lookup_expr="lte")
    stars_min = StarsFilter(field_name="stars", lookup_expr="gte")
    ticket = django_filters.CharFilter(method="filter_ticket", help_text=_("A ticket's reference (DD-1301)."))
    agent = IdFilter(field_name="agent_id")
    queue = django_filters.CharFilter(field_name="queue__slug")
    team = IdFilter(field_name="team_id")
    kind = django_filters.CharFilter(field_name="ticket_kind")
    company = django_filters.CharFilter(field_name="company", lookup_expr="iexact")
    since = DateTimeParameterFilter(field_name="created_at", lookup_expr="gte")
    until = DateTimeParameterFilter(field_name="created_at", lookup_expr="lt")
    has_comment = StrictBooleanFilter(method="filter_has_comment")

    class Meta:
        model = Rating
        fields: list = []

    def filter_ticket(self, queryset, name, value):
        return queryset.filter(ticket__reference__iexact=value.strip()[:50])

    def filter_has_comment(self, queryset, name, value):
        return queryset.exclude(comment="") if value else queryset.filter(comment="")


@extend_schema(tags=["feedback"])
class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    """Ratings of the tickets the staff member may see, newest first, with filters; one rating with its
    history (every value it had, as the customer changed it)."""

    serializer_class = RatingSerializer
    permission_classes = [IsStaffMember]
    filterset_class = RatingFilter

    def get_queryset(self):
        ratings = selectors.ratings_visible_to(self.request.user).order_by("-created_at", "-id")
        return ratings.prefetch_related("changes") if self.action == "retrieve" else ratings

    def get_serializer_class(self):
        return RatingDetailSerializer if self.action == "retrieve" else RatingSerializer


@extend_schema(tags=["feedback"])
class PulseViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The requesting agent's own pulses (never anyone else's); create or change one."""

    serializer_class = PulseSerializer
    permission_classes = [IsStaffMember]

    queryset = AgentPulse.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgentPulse.objects.none()
        return selectors.pulses_of(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=PulseInSerializer, responses={201: PulseSerializer})
    def create(self, request, *args, **kwargs):
        data = PulseInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["kind"] == "weekly":
            pulse = services.weekly_pulse_answer(
                agent=request.user, score=values["score"], note=values["note"], week=values.get("week")
            )
        else:
            ticket = ticket_get_for_user(user=request.user, reference=values["ticket"])
            pulse = services.pulse_answer_for_ticket(
                agent=request.user, ticket_id=ticket.pk, score=values["score"], note=values["note"]
            )
        return Response(PulseSerializer(pulse).data, status=status.HTTP_201_CREATED)


__all__ = ["PublicRatingView", "PulseViewSet", "RatingViewSet", "TicketSurveyView"]
