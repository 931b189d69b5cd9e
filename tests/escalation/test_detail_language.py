"""The escalation page in the supervisor's language: the ticket's history under it shows the statuses and the
channel by their names, not by their stored codes ("resolved → open" on an Estonian page)."""

import pytest
from django.urls import reverse

from escalation import services
from escalation.models import Trigger
from tests.feedback.helpers import reopen, resolve

pytestmark = pytest.mark.django_db


def test_the_tickets_history_on_the_escalation_page_names_statuses_in_the_readers_language(
        on_shift, assigned_ticket, agent, supervisor, client):
    resolve(assigned_ticket, agent)
    reopen(assigned_ticket, agent)
    escalation, _created = services.escalation_raise(ticket=assigned_ticket, trigger=Trigger.REPEAT_CONTACT)
    supervisor.profile.language = "et"
    supervisor.profile.save(update_fields=["language"])
    client.force_login(supervisor)

    history = client.get(reverse("escalation:detail", args=[escalation.pk])).content.decode()
    history = history[history.index("<summary>"):]

    assert "Lahendatud → Avatud" in history and "Uus → Lahendatud" in history and "→ Veebivorm" in history
    assert "resolved" not in history and "→ web" not in history
