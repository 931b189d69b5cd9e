"""Who gets an escalation, and why — every decision explained in words on the escalation.

Explanations are `helpdesk.phrases` values (codes and parameters, rendered in the reader's language).

The chain: the team's supervisors -> the queue's manager -> any admin. At every step the same
availability rule applies: a person is available when they are not the subject of the escalation
(the ticket's agent, the remedy's proposer, the person who raised it: never its handler), not marked
away, and on shift. "On shift" is read from the working calendar of the escalated ticket's team,
for everyone in the chain: a manager or an admin who handles a team's escalations works to that
team's hours (people have no calendar of their own). The first step with an available person wins,
least loaded first (fewest open escalations, then name). When nobody in the whole chain is
available (typically outside working hours), the escalation still goes to someone: the least loaded
person of the whole chain who may handle it (people who are not away before those who are), and
the explanation says so ("nobody on shift: routed to ..., least loaded"). Only a chain without any
eligible person leaves the escalation unassigned, for any admin to pick up.

Candidates and their open-escalation counts are read in ONE query (`load_candidates`), for one
escalation or for all those a sweep raises (`route` takes the loaded `Candidates` and counts each
decision into the loads, so a batch spreads over the supervisors as one-by-one raising would).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from escalation import business_hours
from escalation.models import Escalation
from escalation.phrases import person
from escalation.services.rules import calendar_for_team
from helpdesk.phrases import Phrase, phrase
from tickets.models import Membership, Queue
from tickets.roles import Role

User = get_user_model()

LEVEL_TEAM, LEVEL_MANAGER, LEVEL_ADMIN = Escalation.Level.TEAM, Escalation.Level.MANAGER, Escalation.Level.ADMIN


@dataclass
class Decision:
    user: User | None
    level: int
    explanation: Phrase
    considered: list[str] = field(default_factory=list)


@dataclass
class Candidates:
    """Everyone who may be asked, for a set of teams and queue managers, with their current loads."""

    users: dict[int, User] = field(default_factory=dict)
    supervisors_by_team: dict[int, list[int]] = field(default_factory=dict)
    admin_ids: list[int] = field(default_factory=list)
    loads: dict[int, int] = field(default_factory=dict)

    def supervisors(self, team_id) -> list[User]:
        return [self.users[pk] for pk in self.supervisors_by_team.get(team_id, [])]

    def admins(self) -> list[User]:
        return [self.users[pk] for pk in self.admin_ids]

    def manager(self, queue: Queue) -> User | None:
        return self.users.get(queue.manager_id) if queue.manager_id else None


def display(user) -> str:
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


def load_candidates(*, team_ids: Iterable[int | None], manager_ids: Iterable[int | None] = ()) -> Candidates:
    """The team supervisors of `team_ids`, the managers `manager_ids` and every admin, with their
    profiles and open-escalation counts: one query (a row per supervised team)."""
    team_ids = sorted({t for t in team_ids if t}) or [0]  # no team: a condition that matches nothing
    manager_ids = sorted({m for m in manager_ids if m})
    open_load = (
        Escalation.objects.filter(assigned_to=OuterRef("pk"), state__in=Escalation.OPEN_STATES)
        .order_by().values("assigned_to").annotate(n=Count("id")).values("n")
    )
    admin_group = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=Role.ADMIN.value)
    is_admin = Q(is_superuser=True) | Q(Exists(admin_group))
    rows = (
        User.objects.annotate(
            supervised=FilteredRelation(
                "memberships",
                condition=Q(memberships__role=Membership.TeamRole.SUPERVISOR, memberships__team_id__in=team_ids),
            )
        )
        .filter(Q(supervised__team_id__isnull=False) | Q(pk__in=manager_ids) | is_admin, is_active=True)
        .annotate(
            supervised_team_id=F("supervised__team_id"),
            open_load=Coalesce(Subquery(open_load, output_field=IntegerField()), Value(0)),
            is_admin_flag=Exists(admin_group),
        )
        .select_related("profile")
        .order_by("pk")
    )
    candidates = Candidates()
    for user in rows:
        known = candidates.users.setdefault(user.pk, user)
        candidates.loads[user.pk] = user.open_load
        if user.supervised_team_id:
            candidates.supervisors_by_team.setdefault(user.supervised_team_id, []).append(user.pk)
        if (user.is_superuser or user.is_admin_flag) and user.pk not in candidates.admin_ids:
            candidates.admin_ids.append(known.pk)
    return candidates


def is_away(user) -> bool:
    profile = getattr(user, "profile", None)
    return bool(profile and profile.is_away)


def _open_count(n: int) -> Phrase:
    return phrase("escalation.routing.open_count", n=n)


def _available(people: list[User], *, exclude_ids: set[int], on_shift: bool, loads: dict[int, int],
               notes: list[Phrase], noted: set[int]) -> list[User]:
    """Those of `people` available now, least loaded first; why the others are not goes to `notes`."""
    available = []
    for user in people:
        if user.pk in exclude_ids:
            reason = "escalation.routing.not_eligible"
        elif is_away(user):
            reason = "escalation.routing.away"
        elif not on_shift:
            reason = "escalation.routing.off_shift"
        else:
            available.append(user)
            continue
        if user.pk not in noted:
            noted.add(user.pk)
            notes.append(phrase(reason, name=person(user)))
    available.sort(key=lambda u: (loads.get(u.pk, 0), display(u).lower(), u.pk))
    return available


def _chain(queue: Queue, candidates: Candidates, from_level: int) -> list[tuple[int, list[User]]]:
    steps = []
    if from_level <= LEVEL_TEAM:
        steps.append((LEVEL_TEAM, candidates.supervisors(queue.team_id)))
    if from_level <= LEVEL_MANAGER:
        manager = candidates.manager(queue)
        steps.append((LEVEL_MANAGER, [manager] if manager is not None else []))
    steps.append((LEVEL_ADMIN, candidates.admins()))
    return steps


def _why(level: int, user: User, queue: Queue, load: Phrase) -> Phrase:
    if level == LEVEL_TEAM:
        return phrase("escalation.routing.team", name=person(user), load=load)
    if level == LEVEL_MANAGER:
        return phrase("escalation.routing.manager", name=person(user), queue=queue.name, load=load)
    return phrase("escalation.routing.admin", name=person(user), load=load)


def route(*, queue: Queue, exclude_ids: set[int], now: datetime, from_level: int = LEVEL_TEAM,
          calendar=None, candidates: Candidates | None = None) -> Decision:
    """Choose a handler at `from_level` or above, with the reasons (a phrase).

    `candidates` (from `load_candidates`) saves the query when routing many; the chosen person's
    load is counted up in it."""
    if candidates is None:
        candidates = load_candidates(team_ids=[queue.team_id], manager_ids=[queue.manager_id])
    calendar = calendar if calendar is not None else calendar_for_team(queue.team_id)
    on_shift = business_hours.is_working_time(now, calendar)
    loads = candidates.loads
    notes: list[Phrase] = []
    noted: set[int] = set()
    steps = _chain(queue, candidates, from_level)
    decision = None
    for level, people in steps:
        available = _available(people, exclude_ids=exclude_ids, on_shift=on_shift, loads=loads, notes=notes,
                               noted=noted)
        if available:
            chosen, others = available[0], available[1:]
            for other in others:
                notes.append(phrase("escalation.routing.has_load", name=person(other),
                                    load=_open_count(loads.get(other.pk, 0))))
            decision = Decision(chosen, level, _join(_why(level, chosen, queue, _open_count(loads.get(chosen.pk, 0))),
                                                     notes))
            break
        if level == LEVEL_TEAM and not people:
            notes.append(phrase("escalation.routing.no_supervisors"))
        elif level == LEVEL_MANAGER and not people:
            notes.append(phrase("escalation.routing.no_manager", queue=queue.name))
    if decision is None:
        decision = _least_loaded_of_chain(steps, exclude_ids=exclude_ids, loads=loads, notes=notes)
    if decision.user is not None:
        loads[decision.user.pk] = loads.get(decision.user.pk, 0) + 1
    return decision


def _least_loaded_of_chain(steps, *, exclude_ids: set[int], loads: dict[int, int], notes: list[Phrase]) -> Decision:
    """Nobody is available: the least loaded eligible person of the whole chain (not away first)."""
    level_of: dict[int, int] = {}
    people: dict[int, User] = {}
    for level, members in steps:
        for user in members:
            if user.pk not in exclude_ids and user.pk not in people:
                people[user.pk] = user
                level_of[user.pk] = level
    if not people:
        return Decision(None, LEVEL_ADMIN, _join(phrase("escalation.routing.nobody_available"), notes))
    chosen = min(people.values(), key=lambda u: (is_away(u), loads.get(u.pk, 0), display(u).lower(), u.pk))
    why = phrase("escalation.routing.nobody_on_shift", name=person(chosen), load=_open_count(loads.get(chosen.pk, 0)))
    return Decision(chosen, level_of[chosen.pk], _join(why, notes))


def _join(head: Phrase, notes: list[Phrase]) -> Phrase:
    """The decision and why the others were not chosen, as one sentence (escalation.phrases._explained)."""
    return phrase("escalation.routing.explained", head=head, notes=list(notes))

