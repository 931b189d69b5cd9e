"""People's services and selectors: customers found by address however it is written, a rename announced to
the apps that copy the name, who works in a team, who appears in the pickers, a user's language."""

import pytest

from accounts import events, selectors, services
from accounts.models import Profile
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_customer_is_found_by_any_case_of_their_address():
    customer = factories.CustomerFactory(email="Maarja.Tamm@Firma.ee")

    assert selectors.customer_by_email("  maarja.tamm@FIRMA.EE ") == customer
    assert services.customer_get_or_create(email="MAARJA.TAMM@firma.ee", name="Other") == customer


def test_an_address_with_letters_beyond_ascii_is_found_whatever_the_case_of_its_other_letters():
    customer = services.customer_get_or_create(email="Jürgen@Example.com", name="Jürgen")

    assert selectors.customer_by_email("jürgen@EXAMPLE.com") == customer
    assert services.customer_get_or_create(email="JüRGEN@example.COM") == customer


@pytest.fixture
def renamed():
    heard = []

    def receiver(sender, *, customer_id, **kwargs):
        heard.append(customer_id)

    events.customer_renamed.connect(receiver)
    yield heard
    events.customer_renamed.disconnect(receiver)


def test_a_new_name_or_email_is_announced_after_commit(renamed, django_capture_on_commit_callbacks):
    customer = factories.CustomerFactory()
    customer.name = "Maarja Kask"

    with django_capture_on_commit_callbacks(execute=True):
        services.customer_save(customer=customer, changed={"name"})
        assert renamed == []  # not inside the transaction

    assert renamed == [customer.pk]


def test_other_changes_of_a_customer_are_not_announced(renamed, django_capture_on_commit_callbacks):
    customer = factories.CustomerFactory()
    customer.company = "Nordic Bikes"

    with django_capture_on_commit_callbacks(execute=True):
        services.customer_save(customer=customer, changed={"company"})

    assert renamed == []


def test_saving_a_customer_writes_only_the_fields_that_changed():
    customer = factories.CustomerFactory(name="Maarja Tamm", company="Old Firm")
    stale = type(customer).objects.get(pk=customer.pk)
    customer.name = "Maarja Kask"
    services.customer_save(customer=customer, changed={"name"})

    stale.company = "Nordic Bikes"
    services.customer_save(customer=stale, changed={"company"})

    customer.refresh_from_db()
    assert (customer.name, customer.company) == ("Maarja Kask", "Nordic Bikes")


def test_members_and_admins_work_in_a_team_and_others_do_not(team, agent, admin_user):
    other = factories.agent_in(factories.TeamFactory())

    assert selectors.works_in_team(agent, team.pk)
    assert selectors.works_in_team(admin_user, team.pk)
    assert not selectors.works_in_team(other, team.pk)


def test_pickers_offer_an_agent_the_colleagues_of_their_teams_and_an_admin_every_member(team, agent, admin_user):
    colleague = factories.agent_in(team)
    stranger = factories.agent_in(factories.TeamFactory())

    assert set(selectors.staff_for_pickers(agent)) == {agent, colleague}
    assert set(selectors.staff_for_pickers(admin_user)) == {agent, colleague, stranger}


def test_the_assignee_choices_of_a_team_include_the_current_assignee_once(team, agent, admin_user):
    assert list(selectors.staff_in_team(team.pk, also=admin_user.pk)).count(admin_user) == 1
    assert list(selectors.staff_in_team(team.pk, also=agent.pk)) == [agent]


def test_a_language_choice_is_saved_to_the_profile_even_when_there_was_none(django_user_model):
    user = django_user_model.objects.create_user("nobody", password=None)

    services.profile_set_language(user=user, language="fi")

    assert Profile.objects.get(user=user).language == "fi"
