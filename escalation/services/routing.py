"""Who gets an escalation, and why — every decision explained in words on the escalation.

Order: the team's supervisors who are available (on shift by the team calendar, not away), least
loaded first (fewest open escalations, then name); if none, the queue's manager; if none, the
least-loaded admin. Whoever the escalation is about (the ticket's agent, the remedy's proposer, the
person who raised it) is never its handler.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from escalation import business_hours
from escalation.models import Escalation
from escalation.services.rules import calendar_for_team
from tickets.models import Membership, Queue
from tickets.roles import Role

User = get_user_model()

LEVEL_TEAM, LEVEL_MANAGER, LEVEL_ADMIN = Escalation.Level.TEAM, Escalation.Level.MANAGER, Escalation.Level.ADMIN


@dataclass
class Decision:
    user: User | None
    level: int
    explanation: str
    considered: list[str] = field(default_factory=list)


def display(user) -> str:
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


def _loads(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Escalation.objects.filter(assigned_to_id__in=user_ids, state__in=Escalation.OPEN_STATES)
        .values("assigned_to_id")
        .annotate(n=Count("id"))
    )
    return {row["assigned_to_id"]: row["n"] for row in rows}


def _is_away(user) -> bool:
    profile = getattr(user, "profile", None)
    return bool(profile and profile.is_away)


def _open_count(n: int) -> str:
    if n == 1:
        return _("1 open escalation")
    return _("%(n)d open escalations") % {"n": n}


def _pick(candidates, *, exclude_ids: set[int], loads: dict[int, int], calendar, now, notes: list[str],
          check_shift: bool):
    available = []
    for user in candidates:
        if user.pk in exclude_ids:
            notes.append(_("%(name)s not eligible: it is their own ticket or remedy") % {"name": display(user)})
        elif _is_away(user):
            notes.append(_("%(name)s away") % {"name": display(user)})
        elif check_shift and calendar is not None and not business_hours.is_working_time(now, calendar):
            notes.append(_("%(name)s off shift") % {"name": display(user)})
        else:
            available.append(user)
    available.sort(key=lambda u: (loads.get(u.pk, 0), display(u).lower(), u.pk))
    for other in available[1:]:
        notes.append(_("%(name)s has %(load)s") % {"name": display(other), "load": _open_count(loads.get(other.pk, 0))})
    return available[0] if available else None


def team_supervisors(team_id: int):
    from escalation.services.rules import _cached

    return _cached(("supervisors", team_id), lambda: _team_supervisors(team_id))


def _team_supervisors(team_id: int):
    return list(
        User.objects.filter(
            is_active=True, memberships__team_id=team_id, memberships__role=Membership.TeamRole.SUPERVISOR
        ).select_related("profile").distinct()
    )


def admins():
    return list(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value), is_active=True)
        .select_related("profile").distinct()
    )


def route(*, queue: Queue, exclude_ids: set[int], now: datetime, from_level: int = LEVEL_TEAM,
          calendar=None) -> Decision:
    """Choose a handler at `from_level` or above, with the reasons in words."""
    notes: list[str] = []
    team_id = queue.team_id
    if from_level <= LEVEL_TEAM:
        supervisors = team_supervisors(team_id)
        calendar = calendar if calendar is not None else calendar_for_team(team_id)
        loads = _loads([u.pk for u in supervisors])
        chosen = _pick(supervisors, exclude_ids=exclude_ids, loads=loads, calendar=calendar, now=now, notes=notes,
                       check_shift=True)
        if chosen is not None:
            why = _("routed to %(name)s (team supervisor): on shift, %(load)s") % {
                "name": display(chosen), "load": _open_count(loads.get(chosen.pk, 0))}
            return Decision(chosen, LEVEL_TEAM, _join(why, notes))
        if not supervisors:
            notes.append(_("the team has no supervisors"))
    if from_level <= LEVEL_MANAGER:
        manager = queue.manager if queue.manager_id else None
        if manager is not None:
            chosen = _pick([manager], exclude_ids=exclude_ids, loads={}, calendar=None, now=now, notes=notes,
                           check_shift=False)
            if chosen is not None:
                load = _loads([chosen.pk]).get(chosen.pk, 0)
                why = _("routed to %(name)s (manager of queue %(queue)s): %(load)s") % {
                    "name": display(chosen), "queue": queue.name, "load": _open_count(load)}
                return Decision(chosen, LEVEL_MANAGER, _join(why, notes))
        else:
            notes.append(_("queue %(queue)s has no manager") % {"queue": queue.name})
    everyone = admins()
    loads = _loads([u.pk for u in everyone])
    chosen = _pick(everyone, exclude_ids=exclude_ids, loads=loads, calendar=None, now=now, notes=notes,
                   check_shift=False)
    if chosen is not None:
        why = _("routed to %(name)s (admin): %(load)s") % {
            "name": display(chosen), "load": _open_count(loads.get(chosen.pk, 0))}
        return Decision(chosen, LEVEL_ADMIN, _join(why, notes))
    return Decision(None, LEVEL_ADMIN, _join(_("nobody available: left unassigned for any admin"), notes))


def _join(head: str, notes: list[str]) -> str:
    text = head[:1].upper() + head[1:]
    if notes:
        text += "; " + "; ".join(notes)
    return text + "."
