"""The team pulse page (supervisors): the team's weekly ASAT, from published agent-weeks only
(docs/privacy.md); agents cannot open it."""

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.pulse_privacy import open_week
from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket

_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here


def _week_of_answers(agent, queue, n: int, week: date) -> None:
    """`n` ticket pulses of `agent` in `week`, each answered that Wednesday (before the week closed)."""
    for _ in range(n):
        ticket = new_ticket(queue)
        pulse = services.pulse_request(agent_id=agent.pk, ticket_id=ticket.pk, now=_wednesday(week))
        services.pulse_answer(agent=agent, pulse_id=pulse.pk, score=4, now=_wednesday(week))


def _wednesday(week: date):
    return timezone.make_aware(datetime.combine(week + timedelta(days=2), time(10)))


def _last_week() -> date:
    return open_week() - timedelta(weeks=1)


def test_supervisors_see_no_week_where_no_agent_gave_five_answers(client, team, supervisor):
    """Five agents with one weekly answer each: five answers, but no agent's five (docs/privacy.md)."""
    for _ in range(5):
        services.weekly_pulse_answer(agent=factories.agent_in(team), score=4, week=_last_week(),
                                     now=_wednesday(_last_week()))
    client.force_login(supervisor)
    assert client.get(reverse("reports:pulse_team")).context["rows"] == []


def test_supervisors_see_a_closed_week_with_an_agent_s_five_answers(client, queue, supervisor):
    _week_of_answers(factories.agent_in(queue.team), queue, 5, _last_week())
    client.force_login(supervisor)
    [row] = client.get(reverse("reports:pulse_team")).context["rows"]
    assert row["n"] == 5 and row["average_pulse"] == 4


def test_supervisors_see_nothing_of_the_week_still_open(client, queue, supervisor):
    _week_of_answers(factories.agent_in(queue.team), queue, 6, open_week())
    client.force_login(supervisor)
    assert client.get(reverse("reports:pulse_team")).context["rows"] == []


def test_agents_cannot_open_the_team_aggregate(client, agent):
    client.force_login(agent)
    assert client.get(reverse("reports:pulse_team")).status_code == 403
