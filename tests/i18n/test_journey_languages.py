"""The first-run journey in every language of the desk, through the test client (the browser journey on the
shipped desk, tests/e2e/test_first_run.py, walks it in Estonian): the customer opens a ticket on the support
form, follows the emailed link, the agent replies and resolves, the survey email's two-star link records the
rating, the customer answers "Where did we go wrong?", and the supervisor sees the escalation with that answer.

Every page the customer, the agent and the supervisor see, and every email the desk sends them, is read by the
English-leftover checker (tests/i18n/leftovers.py): no English the catalogues translate may be left on it. The
people's language is the journey's; the data they typed (names, the subject, the answer) is in it too.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from escalation.models import Escalation, Notification
from feedback import services as feedback_services
from feedback.models import Rating, Survey
from tests import factories
from tests.escalation import factories as esc
from tests.i18n.leftovers import english_left, in_context, mail_text, page_text
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = re.compile(r"https?://[^\s<>\"']+")

# What the people of the journey type, in their own language (data, not the desk's words).
WORDS = {
    "en": {"subject": "The printer prints blank pages", "description": "Since Monday the printer in room 4 "
           "prints only blank pages.", "reply": "We replaced the toner cartridge.",
           "answer": "Nobody told me the cartridge was out of stock for a week."},
    "et": {"subject": "Printer prindib tühje lehti", "description": "Alates esmaspäevast prindib ruumi 4 printer "
           "ainult tühje lehti.", "reply": "Vahetasime toonerikasseti välja.",
           "answer": "Keegi ei öelnud mulle, et kassetti polnud terve nädal laos."},
    "nl": {"subject": "De printer drukt lege pagina's af", "description": "Sinds maandag drukt de printer in "
           "kamer 4 alleen lege pagina's af.", "reply": "We hebben de tonercartridge vervangen.",
           "answer": "Niemand vertelde me dat de cartridge een week niet op voorraad was."},
    "es": {"subject": "La impresora imprime páginas en blanco", "description": "Desde el lunes la impresora de "
           "la sala 4 solo imprime páginas en blanco.", "reply": "Hemos cambiado el cartucho de tóner.",
           "answer": "Nadie me dijo que el cartucho estuvo agotado una semana."},
    "fi": {"subject": "Tulostin tulostaa tyhjiä sivuja", "description": "Maanantaista asti huoneen 4 tulostin "
           "on tulostanut vain tyhjiä sivuja.", "reply": "Vaihdoimme värikasetin.",
           "answer": "Kukaan ei kertonut, että kasettia ei ollut varastossa viikkoon."},
}
NAMES = ("Kadri Tamm", "Anna Agent", "Mari Supervisor", "Tugi", "Üldine")


@dataclass
class Reader:
    """Reads every page and email of the journey for English, and says where it found any."""

    language: str
    found: dict[str, list[str]] = field(default_factory=dict)

    def page(self, where: str, response) -> str:
        assert response.status_code == 200, f"{where}: {response.status_code}"
        html = response.content.decode()
        self._check(where, page_text(html))
        return html

    def email(self, message) -> None:
        self._check(f"email {message.subject!r} to {', '.join(message.to)}", mail_text(message))

    def _check(self, where: str, text: str) -> None:
        left = english_left(text, self.language, allowed=(*NAMES, *WORDS[self.language].values()))
        if left:
            self.found[where] = [in_context(piece, text) for piece in left]


@pytest.fixture
def desk(settings):
    settings.SURVEY_DELAY_SECONDS = 3600  # sent below by the outbox's service, not by a kick from another thread
    settings.SITE_URL = "http://testserver"
    team = factories.TeamFactory(name="Tugi", slug="tugi")
    queue = factories.QueueFactory(team=team, name="Üldine", slug="yldine", is_default=True)
    esc.always_open_calendar(team)
    agent = factories.agent_in(team, first_name="Anna", last_name="Agent", email="anna@example.com")
    supervisor = factories.supervisor_of(team, first_name="Mari", last_name="Supervisor", email="mari@example.com")
    return {"queue": queue, "agent": agent, "supervisor": supervisor}


@pytest.fixture
def workers(settings):
    """Tasks run on the spot, so the email a worker would send lands in the test outbox."""
    from helpdesk.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _language_restored():
    language = translation.get_language()
    yield
    translation.activate(language)


def _speaks(user, language: str) -> None:
    user.profile.language = language
    user.profile.save(update_fields=["language"])


def _link(message, fragment: str) -> str:
    [link] = {url.rstrip(".,;)") for url in URL.findall(message.body) if fragment in url}
    return link.replace("http://testserver", "")


def _mail_to(address: str, *, after: int = 0, header: str = ""):
    sent = [m for m in mail.outbox[after:] if address in m.to and (not header or header in m.extra_headers)]
    assert sent, f"no email to {address} (outbox: {[(m.to, m.subject) for m in mail.outbox]})"
    return sent[-1]


@pytest.mark.parametrize("language", ["et", "nl", "es", "fi", "en"])
def test_the_first_run_journey_speaks_the_customers_and_the_staffs_language(
        language, desk, workers, client_factory, django_capture_on_commit_callbacks):
    words, reader = WORDS[language], Reader(language)
    agent, supervisor = desk["agent"], desk["supervisor"]
    _speaks(agent, language)
    _speaks(supervisor, language)
    customer = client_factory(HTTP_ACCEPT_LANGUAGE=language)

    # The customer opens a ticket on the support form.
    reader.page("support form", customer.get(reverse("tickets:support")))
    with django_capture_on_commit_callbacks(execute=True):
        sent = customer.post(reverse("tickets:support"), {
            "name": "Kadri Tamm", "email": "kadri@example.ee", "subject": words["subject"],
            "description": words["description"], "website": ""}, follow=True)
    reader.page("thank-you page", sent)
    ticket = Ticket.objects.get()
    assert ticket.language == language

    # The confirmation email's link opens the ticket's follow page.
    confirmation = _mail_to("kadri@example.ee")
    reader.email(confirmation)
    follow = _link(confirmation, "/t/")
    reader.page("follow page", customer.get(follow))

    # The agent replies and resolves on the ticket page.
    staff = client_factory()
    staff.force_login(agent)
    reader.page("agent's ticket page", staff.get(reverse("tickets:detail", args=[ticket.reference])))
    reader.page("agent's list", staff.get(reverse("tickets:list")))
    with django_capture_on_commit_callbacks(execute=True):
        replied = staff.post(reverse("tickets:reply", args=[ticket.reference]), {
            "kind": "reply", "body": words["reply"], "status": "resolved", "version": ticket.version}, follow=True)
    reader.page("agent's ticket page after the reply", replied)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    reader.email(_mail_to("kadri@example.ee"))

    # The survey email; its two-star link, one tap, then the answer to "Where did we go wrong?".
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.survey_send(survey_id=Survey.objects.get(ticket=ticket).pk,
                                      now=timezone.now() + timedelta(seconds=settings.SURVEY_DELAY_SECONDS + 1))
    survey_email = _mail_to("kadri@example.ee", after=before)
    reader.email(survey_email)
    survey = _link(survey_email, "stars=2")
    reader.page("survey page (two-star link)", customer.get(survey))
    with django_capture_on_commit_callbacks(execute=True):
        recorded = customer.post(survey.split("?")[0], {"stars": "2", "follow_up_for": "bad"}, follow=True)
    reader.page("survey page (rating recorded)", recorded)
    assert Rating.objects.get(ticket=ticket).stars == 2
    with django_capture_on_commit_callbacks(execute=True):
        answered = customer.post(survey.split("?")[0], {
            "stars": "2", "follow_up_for": "bad", "follow_up": words["answer"]}, follow=True)
    reader.page("survey page (answer recorded)", answered)
    reader.page("follow page after the rating", customer.get(follow))

    # The supervisor: the escalation with the customer's answer, and the emails about it.
    escalation = Escalation.objects.get(ticket=ticket)
    assert (escalation.assigned_to, escalation.rating_follow_up) == (supervisor, words["answer"])
    boss = client_factory()
    boss.force_login(supervisor)
    inbox = reader.page("escalation inbox", boss.get(reverse("escalation:inbox")))
    detail = reader.page("escalation page", boss.get(reverse("escalation:detail", args=[escalation.pk])))
    reader.page("dashboard", boss.get(reverse("feedback:dashboard")))
    assert words["answer"].replace("'", "&#x27;") in inbox and words["answer"].replace("'", "&#x27;") in detail
    told = Notification.objects.filter(recipient=supervisor).values_list("kind", flat=True)
    assert set(told) >= {Notification.Kind.ROUTED, Notification.Kind.CUSTOMER_ANSWERED}
    for message in mail.outbox:
        reader.email(message)
    assert any(words["answer"] in m.body for m in mail.outbox if supervisor.email in m.to)

    assert reader.found == {}, "English left:\n" + "\n".join(f"- {where}: {left}" for where, left in
                                                            reader.found.items())


@pytest.fixture
def client_factory():
    from django.test import Client

    return lambda **defaults: Client(**defaults)
