"""The escalation API: the same selectors and services as the pages. Customers get 404 on all of it."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import StaffOr404, SupervisorOnly
from escalation import selectors, services
from escalation.api import serializers
from escalation.models import Escalation, Remedy, Trigger
from helpdesk.filters import DateTimeParameterFilter, IdFilter, StrictBooleanFilter
from tickets.selectors import ticket_get_for_user

User = get_user_model()


class _Base:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, StaffOr404]

    def initial(self, request, *args, **kwargs):
        # A method the endpoint does not have is 405 for everyone, before "not for you" (404) is decided.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class EscalationFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=Escalation.State.choices)
    trigger = django_filters.MultipleChoiceFilter(
        choices=Trigger.choices, method="filter_trigger",
        help_text=_("Escalations that this trigger raised or fired again (repeat for several)."),
    )
    ticket = django_filters.CharFilter(method="filter_ticket", help_text=_("A ticket's reference (DD-1301)."))
    queue = IdFilter(field_name="queue_id")
    team = IdFilter(field_name="team_id")
    assigned_to = IdFilter(field_name="assigned_to_id")
    open = StrictBooleanFilter(method="filter_open")
    created_after = DateTimeParameterFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeParameterFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Escalation
        fields = ["state", "trigger", "ticket", "queue", "team", "assigned_to", "open"]

    def filter_ticket(self, queryset, name, value):
        return queryset.filter(ticket__reference__iexact=value.strip()[:50])

    def filter_trigger(self, queryset, name, value):
        return selectors.with_triggers(queryset, value) if value else queryset

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(state__in=Escalation.OPEN_STATES) if value else queryset.exclude(
            state__in=Escalation.OPEN_STATES)


@extend_schema(tags=["escalation"])
class EscalationViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Escalations visible to the user, most urgent first; the supervisor's actions."""

    filterset_class = EscalationFilter
    serializer_class = serializers.EscalationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Escalation.objects.none()
        return selectors.inbox_for(self.request.user, state="all")

    def get_object(self):
        escalation = selectors.escalation_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, escalation)
        return escalation

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.EscalationDetailSerializer
        return super().get_serializer_class()

    def get_permissions(self):
        if self.action in ("acknowledge", "take_over", "return_to_agent", "reassign", "resolve"):
            return [IsAuthenticated(), SupervisorOnly()]
        return super().get_permissions()

    def _done(self, escalation):
        fresh = selectors.escalation_get_for_user(user=self.request.user, pk=escalation.pk)
        return Response(serializers.EscalationDetailSerializer(fresh).data)

    @extend_schema(request=None, responses=serializers.EscalationDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._done(services.escalation_acknowledge(escalation=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=serializers.EscalationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="take-over")
    def take_over(self, request, pk=None):
        return self._done(services.escalation_take_over(escalation=self.get_object(), actor=request.user))

    @extend_schema(request=serializers.GuidanceInputSerializer, responses=serializers.EscalationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_agent(self, request, pk=None):
        data = _valid(serializers.GuidanceInputSerializer, request)
        return self._done(services.escalation_return(escalation=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.ReassignInputSerializer, responses=serializers.EscalationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        data = _valid(serializers.ReassignInputSerializer, request)
        escalation = self.get_object()
        to_user = selectors.handlers_for(escalation).filter(pk=data["to_user"]).first()
        if to_user is None:
            from escalation.exceptions import InvalidHandler

            raise InvalidHandler(user=str(data["to_user"]))
        return self._done(services.escalation_reassign(escalation=escalation, actor=request.user, to_user=to_user,
                                                       note=data["note"]))

    @extend_schema(request=serializers.NoteInputSerializer, responses=serializers.EscalationDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = _valid(serializers.NoteInputSerializer, request)
        return self._done(services.escalation_resolve(escalation=self.get_object(), actor=request.user, **data))


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(tags=["escalation"])
class TicketEscalateView(_Base, APIView):
    """"Get someone who can": the manual trigger. A second call adds to the open escalation."""

    @extend_schema(request=serializers.EscalateInputSerializer, responses={201: serializers.EscalationDetailSerializer,
                                                                 200: serializers.EscalationDetailSerializer})
    def post(self, request, reference):
        ticket = ticket_get_for_user(user=request.user, reference=reference)
        data = _valid(serializers.EscalateInputSerializer, request)
        escalation, created = services.escalation_raise(ticket=ticket, trigger=Trigger.MANUAL, actor=request.user,
                                                        **data)
        fresh = selectors.escalation_get_for_user(user=request.user, pk=escalation.pk)
        return Response(serializers.EscalationDetailSerializer(fresh).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _paginated(view: GenericAPIView, request, remedies) -> Response:
    page = view.paginate_queryset(remedies)
    return view.get_paginated_response(serializers.RemedySerializer(page, many=True).data)


@extend_schema(tags=["escalation"])
class TicketRemediesView(_Base, GenericAPIView):
    """A ticket's remedies, paginated; POST proposes one (applied within authority, else pending approval)."""

    queryset = Remedy.objects.none()  # the schema's model; the remedies come from the selectors
    serializer_class = serializers.RemedySerializer

    @extend_schema(responses=serializers.RemedySerializer(many=True))
    def get(self, request, reference):
        ticket = ticket_get_for_user(user=request.user, reference=reference)
        return _paginated(self, request, selectors.remedies_visible_to(request.user).filter(ticket=ticket))

    @extend_schema(request=serializers.RemedyInputSerializer, responses={201: serializers.RemedySerializer})
    def post(self, request, reference):
        ticket = ticket_get_for_user(user=request.user, reference=reference)
        data = _valid(serializers.RemedyInputSerializer, request)
        remedy = services.remedy_propose(ticket=ticket, actor=request.user, **data)
        return Response(serializers.RemedySerializer(remedy).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["escalation"], parameters=[OpenApiParameter(
    "awaiting", str, enum=["me"], description=_("`me`: only the pending remedies you could decide."))])
class RemedyListView(_Base, GenericAPIView):
    """Remedies of the tickets you can see, newest first; `?awaiting=me` the ones waiting for your decision."""

    serializer_class = serializers.RemedySerializer
    extra_query_parameters = ("awaiting",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Remedy.objects.none()
        return selectors.remedies_visible_to(self.request.user)

    @extend_schema(responses=serializers.RemedySerializer(many=True))
    def get(self, request):
        awaiting = request.query_params.get("awaiting")
        if awaiting not in (None, "me"):
            raise ValidationError({"awaiting": [_("Only `me` is known here.")]})
        remedies = selectors.remedies_awaiting(request.user) if awaiting else self.get_queryset()
        return _paginated(self, request, remedies)


@extend_schema(tags=["me"])
class MeView(_Base, APIView):
    """Who you are on the desk: your role, and how far you may go without approval (D6)."""

    permission_classes = [IsAuthenticated]  # customers too: their role, and no limits

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        return Response(serializers.MeSerializer(request.user).data)


@extend_schema(tags=["escalation"])
class RemedyDecisionView(_Base, APIView):
    """Approve or deny a pending remedy (a supervisor or admin; never the proposer)."""

    permission_classes = [IsAuthenticated, SupervisorOnly]
    approve = True

    @extend_schema(request=serializers.NoteInputSerializer, responses=serializers.RemedySerializer)
    def post(self, request, reference, pk):
        ticket = ticket_get_for_user(user=request.user, reference=reference)
        remedy = selectors.remedy_get_for_user(user=request.user, pk=pk)
        if remedy.ticket_id != ticket.pk:
            raise NotFound
        data = _valid(serializers.NoteInputSerializer, request)
        remedy = services.remedy_decide(remedy=remedy, actor=request.user, approve=self.approve, note=data["note"])
        return Response(serializers.RemedySerializer(remedy).data)


class RemedyApproveView(RemedyDecisionView):
    approve = True


class RemedyDenyView(RemedyDecisionView):
    approve = False
