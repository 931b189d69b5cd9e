"""The escalation measures as JSON: /api/v1/reports/escalations/ (supervisors and admins; agents are told
403, customers, for whom escalations do not exist, 404)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Team
from accounts.permissions import SupervisorOnly
from accounts.roles import Role, role_of
from helpdesk.api_input import StrictInputSerializer
from helpdesk.dates import ApiDateField
from reports.figures import escalations
from tickets.selectors import queues_visible_to


class ReportQuerySerializer(StrictInputSerializer):
    IGNORED = frozenset({"format"})

    date_from = ApiDateField(required=False)
    date_to = ApiDateField(required=False)
    queue = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1)


@extend_schema(tags=["reports"])
class EscalationReportView(APIView):
    """The escalation measures: by trigger, queue, team and agent; acknowledge/resolve times; outcomes;
    SLA compliance per queue and priority; service-recovery outcomes."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, SupervisorOnly]

    def initial(self, request, *args, **kwargs):
        # As on the escalation API: a method the endpoint does not have is 405 for everyone, before 404.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    @extend_schema(parameters=[ReportQuerySerializer], responses={200: dict})
    def get(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        queue = team = None
        if "queue" in params:
            queue = queues_visible_to(request.user).filter(pk=params["queue"]).first()
            if queue is None:
                raise NotFound
        if "team" in params:
            team = Team.objects.filter(pk=params["team"]).first()
            if team is None or (role_of(request.user) != Role.ADMIN
                                and not queues_visible_to(request.user).filter(team=team).exists()):
                raise NotFound
        data = escalations.summary(date_from=params.get("date_from"), date_to=params.get("date_to"), queue=queue,
                                   team=team)
        return Response(data)
