"""The tickets API: thin views over `tickets.selectors` (what a user may see) and `tickets.services` (changes).

Every object lookup goes through `selectors.visible_to(user)`, so another customer's ticket answers 404.
Domain errors (IllegalTransition, StaleTicket, TicketClosed, ...) become 400/409 in helpdesk/api.py.
"""

import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status as http
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import HasDeskRole
from accounts.roles import is_staff_member
from accounts.selectors import customer_for_user
from helpdesk.api import ErrorSerializer
from tickets import selectors, services
from tickets.filters import TicketFilter
from tickets.models import Message, Ticket

from .inputs import BulkStatusSerializer, MessageCreateSerializer, TicketCreateSerializer, TicketUpdateSerializer
from .serializers import BulkStatusResultSerializer, MessageSerializer, TicketSerializer

# References are short ASCII tokens (DD-1001); anything else cannot name a ticket, and is never sent
# to the database (NUL bytes and odd encodings are refused here rather than by the driver).
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}\Z")


def _errors(*statuses: int) -> dict:
    described = {
        400: _("Invalid input, or a change the ticket's life cycle does not allow (see `code`)."),
        401: _("Not authenticated."),
        403: _("Your role does not allow this."),
        404: _("No such ticket, or not one you can see."),
        409: _("The ticket changed since you read it (`stale_ticket`): reload and try again."),
    }
    return {code: OpenApiResponse(ErrorSerializer, description=str(described[code])) for code in statuses}


class ApiTicketFilter(TicketFilter):
    """The shared ticket filter, hardened for the API.

    - `q` for a customer never looks into internal notes: TicketFilter.search matches every message
      body, which would tell a customer which of their tickets carry a note containing a word.
    - `assignee` ids outside the database's integer range (or non-ASCII digits such as "²") match
      nothing instead of raising OverflowError/ValueError (a 500).
    """

    MAX_ID = 2**63 - 1
    MAX_SEARCH = 200

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        if self.request is not None and is_staff_member(self.request.user):
            return super().search(queryset, name, value)
        term = (value or "").strip()[: self.MAX_SEARCH]
        if not term:
            return queryset
        # Checked per ticket of the customer's own (a handful), never over the whole desk's messages.
        in_reply = Message.objects.filter(ticket_id=OuterRef("pk"), kind=Message.Kind.REPLY, body__icontains=term)
        return queryset.filter(
            Q(subject__icontains=term) | Q(reference__in={term, term.upper()}) | Exists(in_reply)
        )

    def filter_assignee(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = (value or "").strip()
        if value in ("me", "none"):
            return super().filter_assignee(queryset, name, value)
        if value.isascii() and value.isdigit() and int(value) <= self.MAX_ID:
            return queryset.filter(assignee_id=int(value))
        return queryset.none()


@extend_schema(tags=["tickets"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List tickets"),
        description=_("Tickets you may see (customers: their own; staff: their teams' queues; admins: all), "
                      "newest first, paginated, filterable and searchable (`q`)."),
        responses={200: TicketSerializer(many=True), **_errors(400, 401, 403, 404)},
    ),
    create=extend_schema(
        summary=_("Open a ticket"),
        description=_("Customers open their own tickets. Staff open one on a customer's behalf with "
                      "`customer_email` (and `customer_name` on first contact), assigned to `assignee` if given: "
                      "when that assignment is refused (`invalid_assignee`), nothing is created. "
                      "The channel is `api`."),
        request=TicketCreateSerializer,
        responses={201: TicketSerializer, **_errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary=_("Read a ticket"),
        responses={200: TicketSerializer, **_errors(401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary=_("Change a ticket (staff)"),
        description=_("Change status, priority, kind, queue, assignee or tags. Send the `version` you last "
                      "read: 409 if someone changed the ticket since, 400 with `illegal_transition` if the "
                      "life cycle does not allow the status change."),
        request=TicketUpdateSerializer,
        responses={200: TicketSerializer, **_errors(400, 401, 403, 404, 409)},
    ),
)
class TicketViewSet(viewsets.GenericViewSet):
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    serializer_class = TicketSerializer
    # Token first: an anonymous request then gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasDeskRole]
    filterset_class = ApiTicketFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @property
    def filter_backends(self):
        return [DjangoFilterBackend] if getattr(self, "action", None) == "list" else []

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return (
            selectors.visible_to(self.request.user)
            .select_related("customer", "queue", "assignee")
            .defer("search_document")  # the staff search's copy of every message: never serialized
            .prefetch_related("tags")
        )

    def get_object(self) -> Ticket:
        reference = str(self.kwargs.get(self.lookup_field, ""))
        if not REFERENCE_RE.match(reference):
            raise NotFound(_("No such ticket."))
        ticket = self.get_queryset().filter(reference__iexact=reference).first()
        if ticket is None:
            raise NotFound(_("No such ticket."))  # also for another customer's ticket: no existence leak
        return ticket

    def _reloaded(self, ticket: Ticket) -> Ticket:
        """The ticket as stored after a change, with what the serializer reads."""
        return Ticket.objects.select_related("customer", "queue", "assignee").prefetch_related("tags").get(
            pk=ticket.pk
        )

    def _require_staff(self, message) -> None:
        if not is_staff_member(self.request.user):
            raise PermissionDenied(message)

    def list(self, request):
        tickets = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request):
        data_in = TicketCreateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        user = request.user
        fields = {"subject": data["subject"], "description": data["description"], "channel": Ticket.Channel.API,
                  "kind": data.get("kind", Ticket.Kind.QUESTION), "language": data.get("language"), "actor": user}
        if is_staff_member(user):
            ticket = services.ticket_open_for_customer(
                customer_email=data["customer_email"], customer_name=data.get("customer_name", ""),
                queue=data.get("queue"), priority=data.get("priority", Ticket.Priority.NORMAL),
                tags=data.get("tags", ()), assignee=data.get("assignee"), **fields,
            )
        else:
            customer = customer_for_user(user)
            if customer is None:
                raise PermissionDenied(_("Your account is not linked to a customer."))
            ticket = services.ticket_create(customer=customer, **fields)
        return Response(self.get_serializer(self._reloaded(ticket)).data, status=http.HTTP_201_CREATED)

    def retrieve(self, request, reference=None):
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request, reference=None):
        ticket = self.get_object()
        self._require_staff(_("Customers cannot change a ticket's fields; reply to it instead."))
        data_in = TicketUpdateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        changes = {name: data[name] for name in ("status", "priority", "kind", "queue", "assignee", "tags",
                                                 "no_follow_up_reason") if name in data}
        services.ticket_update(ticket=ticket, actor=request.user, expected_version=data["version"], **changes)
        return Response(self.get_serializer(self._reloaded(ticket)).data)

    @extend_schema(
        summary=_("Change the status of many tickets (staff)"),
        description=_("Move up to 500 tickets (by reference) to one status, as the life cycle allows for each: "
                      "tickets whose status does not allow the change, and references that name no ticket "
                      "you can see, are reported in `unchanged`."),
        request=BulkStatusSerializer,
        responses={200: BulkStatusResultSerializer, **_errors(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="bulk-status", url_name="bulk-status")
    def bulk_status(self, request):
        self._require_staff(_("Customers cannot change a ticket's fields; reply to it instead."))
        data_in = BulkStatusSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        spellings: dict[str, str] = {}  # references are case-insensitive: each ticket once, as first written
        for ref in data["references"]:
            spellings.setdefault(ref.upper(), ref)
        sent = list(spellings.values())
        # A reference that cannot name a ticket is never sent to the database; it is simply unchanged.
        wellformed = [ref for ref in sent if REFERENCE_RE.match(ref)]
        lookup = {*wellformed, *(ref.upper() for ref in wellformed)}
        found = dict(
            selectors.visible_to(request.user).filter(reference__in=lookup).values_list("reference", "pk")
        )
        pk_of = {ref: found.get(ref, found.get(ref.upper())) for ref in sent}
        result = services.tickets_transition(
            ticket_ids=[pk for pk in pk_of.values() if pk is not None], to_status=data["status"],
            actor=request.user, reason=data["reason"], no_follow_up_reason=data.get("no_follow_up_reason", ""),
        )
        changed = set(result.changed)
        body = {
            "changed": [ref for ref in sent if pk_of[ref] in changed],
            "unchanged": [ref for ref in sent if pk_of[ref] not in changed],
        }
        return Response(BulkStatusResultSerializer(body).data)

    @extend_schema(
        methods=["GET"],
        summary=_("List a ticket's messages"),
        description=_("Oldest first. Customers see public replies only; staff also see internal notes."),
        responses={200: MessageSerializer(many=True), **_errors(401, 403, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Reply to a ticket, or add an internal note (staff)"),
        description=_("A customer's reply reopens a resolved ticket and wakes a pending one; an agent's first "
                      "reply opens a new ticket. Customers can only write replies. Closed tickets refuse "
                      "messages (`ticket_closed`)."),
        request={"application/json": MessageCreateSerializer, "multipart/form-data": MessageCreateSerializer},
        responses={201: MessageSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], url_path="messages", url_name="messages")
    def messages(self, request, reference=None):
        ticket = self.get_object()
        if request.method == "POST":
            return self._message_create(request, ticket)
        messages = selectors.messages_visible_to(request.user, ticket)
        page = self.paginate_queryset(messages)
        data = MessageSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def _message_create(self, request, ticket: Ticket) -> Response:
        data_in = MessageCreateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        body, kind = data["body"], data["kind"]
        if is_staff_member(request.user):
            author = {"author_user": request.user}
        else:
            if kind != Message.Kind.REPLY:
                raise PermissionDenied(_("Customers can only write public replies."))
            if data.get("status"):
                raise PermissionDenied(_("Customers cannot change a ticket's fields; reply to it instead."))
            author = {"author_customer": ticket.customer}  # visible_to: a customer sees only their own
        # A message alone is accepted whatever `version` says; a status sent with it is refused (409)
        # when stale, and the message with it (services.message_add).
        message = services.message_add(
            ticket=ticket, body=body, kind=kind, channel=Ticket.Channel.API, expected_version=data.get("version"),
            status=data.get("status"), attachments=data.get("attachments") or [], **author,
        )
        message = (
            Message.objects.select_related("author_user", "author_customer").prefetch_related("attachments")
            .get(pk=message.pk)
        )
        data = MessageSerializer(message, context=self.get_serializer_context()).data
        return Response(data, status=http.HTTP_201_CREATED)
