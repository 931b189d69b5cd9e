"""People moved from `tickets` to `accounts` (tickets/0011 renames the tables, accounts/0001 takes the models
over in Django's state, feedback/0004, escalation/0009 and tickets/0012 repoint the foreign keys, accounts/0002
moves the content types). A desk migrated before the move keeps every row, every foreign key, and the
permissions and admin history of the moved models.

The fixture starts from the current schema and migrates back to before the move (so the move is undone,
content types included: the permission it looks up is tickets' again), writes rows with the historical
models of that schema, then migrates forward. Once for the module: migrating takes a while.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction

from accounts.models import Customer, Membership, Profile, Team
from escalation.models import TeamCalendar
from feedback.models import RelationshipSurvey
from tests.migration_walk import rows_written_in
from tickets.models import Macro, Message, Queue, Ticket

BEFORE = [
    ("accounts", None),
    ("tickets", "0010_email_placeholders_to_phrases"),
    ("feedback", "0003_weekly_summary_outbox"),
    ("escalation", "0008_rating_changes"),
]


def _write_rows_before_the_move(old) -> dict:
    user = old.get_model("auth", "User").objects.create(username="kati", first_name="Kati")
    team = old.get_model("tickets", "Team").objects.create(name="Support", slug="support", time_zone="Europe/Tallinn")
    old.get_model("tickets", "Membership").objects.create(team=team, user=user, role="supervisor")
    old.get_model("tickets", "Profile").objects.create(user=user, language="et", time_zone="Europe/Tallinn")
    customer = old.get_model("tickets", "Customer").objects.create(name="Maarja Tamm", email="maarja@firma.ee",
                                                                   company="Firma")
    queue = old.get_model("tickets", "Queue").objects.create(team=team, name="General", slug="general")
    ticket = old.get_model("tickets", "Ticket").objects.create(reference="DD-1", subject="Arve", description="Tere",
                                                               customer=customer, queue=queue)
    old.get_model("tickets", "Message").objects.create(ticket=ticket, author_customer=customer, body="Tere")
    old.get_model("tickets", "Macro").objects.create(name="Greeting", body="Hello", team=team)
    old.get_model("escalation", "TeamCalendar").objects.create(team=team, time_zone="Europe/Tallinn")
    old.get_model("feedback", "RelationshipSurvey").objects.create(customer=customer)
    customer_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="tickets", model="customer")
    view_customer = old.get_model("auth", "Permission").objects.get(content_type=customer_type,
                                                                    codename="view_customer")
    old.get_model("auth", "Group").objects.create(name="auditors").permissions.add(view_customer)
    old.get_model("admin", "LogEntry").objects.create(user=user, content_type=customer_type, object_id=customer.pk,
                                                      object_repr="Maarja Tamm", action_flag=2)
    return {"user": user.pk, "team": team.pk, "customer": customer.pk, "ticket": ticket.pk}


@pytest.fixture(scope="module")
def moved(django_db_setup, django_db_blocker):
    with rows_written_in(BEFORE, _write_rows_before_the_move, django_db_blocker) as ids:
        yield ids


@pytest.fixture
def moved_rows(moved, db):
    return moved


def test_people_rows_are_kept_with_their_ids(moved_rows):
    customer = Customer.objects.get(pk=moved_rows["customer"])
    assert (customer.name, customer.email, customer.company) == ("Maarja Tamm", "maarja@firma.ee", "Firma")
    team = Team.objects.get(pk=moved_rows["team"])
    assert team.slug == "support" and list(team.members.values_list("pk", flat=True)) == [moved_rows["user"]]
    assert Membership.objects.get(team=team).role == Membership.TeamRole.SUPERVISOR
    assert Profile.objects.get(user_id=moved_rows["user"]).language == "et"


def test_every_foreign_key_to_people_still_points_at_its_row(moved_rows):
    ticket = Ticket.objects.get(pk=moved_rows["ticket"])
    assert ticket.customer_id == moved_rows["customer"] and ticket.queue.team_id == moved_rows["team"]
    assert Message.objects.get(ticket=ticket).author_customer_id == moved_rows["customer"]
    assert Macro.objects.get().team_id == moved_rows["team"]
    assert Queue.objects.get().team_id == moved_rows["team"]
    assert TeamCalendar.objects.get().team_id == moved_rows["team"]
    assert RelationshipSurvey.objects.get().customer_id == moved_rows["customer"]
    assert list(Customer.objects.get(pk=moved_rows["customer"]).tickets.all()) == [ticket]


def test_the_database_still_enforces_the_foreign_keys_on_the_renamed_tables(moved_rows):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Ticket._meta.db_table)
    targets = {c["foreign_key"][0] for c in constraints.values()
               if c["foreign_key"] and c["columns"] == ["customer_id"]}
    assert targets == {"accounts_customer"}
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_customer WHERE id = %s", [moved_rows["customer"]])
        connection.check_constraints()  # the constraints are deferred: check them now, not at a commit


def test_permissions_and_admin_history_follow_the_models(moved_rows):
    assert not ContentType.objects.filter(app_label="tickets", model__in=["customer", "team", "profile",
                                                                           "membership"]).exists()
    customer_type = ContentType.objects.get_for_model(Customer)
    assert customer_type.app_label == "accounts"
    assert list(Group.objects.get(name="auditors").permissions.values_list("content_type", "codename")) == [
        (customer_type.pk, "view_customer")]
    assert LogEntry.objects.get(object_repr="Maarja Tamm").content_type == customer_type
