"""An email without a subject or without text stores no English placeholder: the subject comes from what the
customer wrote (its first line, else its files' names, else who sent it), and an empty text is said in the
reader's language when shown ("(no text)", "(attachments only)")."""

from email.message import EmailMessage

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.migration_walk import old_schema
from tickets import services
from tickets.models import Message, Ticket
from tickets.services.email_intake import ticket_create_from_email
from tickets.services.notifications import outgoing_message_id
from tickets.tokens import follow_token_for

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ENGLISH_PLACEHOLDERS = ("(no subject)", "(no text)", "(attachments only)")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def email(*, subject: str = "", text: str = "", files: tuple[str, ...] = (), in_reply_to: str = "",
          message_id: str = "<words-1@mail.example.ee>") -> bytes:
    message = EmailMessage()
    message["From"] = "Mari Tamm <mari.tamm@example.ee>"
    message["To"] = "support@delightdesk.localhost"
    if subject:
        message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Content-Language"] = "et"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    message.set_content(text)
    for name in files:
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def new_ticket(**parts) -> Ticket:
    return ticket_create_from_email(raw=email(**parts)).inbound.ticket


def _nothing_english_stored() -> None:
    for placeholder in ENGLISH_PLACEHOLDERS:
        assert not Ticket.objects.filter(subject=placeholder).exists()
        assert not Ticket.objects.filter(description=placeholder).exists()
        assert not Message.objects.filter(body=placeholder).exists()


def test_an_email_without_a_subject_is_named_by_its_first_line(queue):
    ticket = new_ticket(text="\n  Minu arve on vale: aadress on vana ja summa ei klapi sellega, mis tellisin. "
                             "Palun saatke uus arve.\nTervitades\nMari")
    assert ticket.subject == "Minu arve on vale: aadress on vana ja summa ei klapi sellega, mis tellisin. …"
    _nothing_english_stored()


def test_an_email_with_only_files_is_named_by_them_and_says_so_in_the_readers_language(queue, client):
    ticket = new_ticket(files=("arve.pdf", "kviitung.pdf"))
    assert ticket.subject == "arve.pdf, kviitung.pdf"
    assert ticket.description == ""
    _nothing_english_stored()
    agent = factories.agent_in(queue.team)
    agent.profile.language = "et"
    agent.profile.save(update_fields=["language"])
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert "(ainult manused)" in page and "(attachments only)" not in page


def test_an_empty_email_is_named_by_its_sender_and_shows_no_text_in_the_readers_language(queue, client):
    ticket = new_ticket()
    assert ticket.subject == "Mari Tamm"
    _nothing_english_stored()
    client.cookies["django_language"] = "et"
    page = client.get(reverse("tickets:follow", args=[follow_token_for(ticket)])).content.decode()
    assert "(tekstita)" in page and "(no text)" not in page


def test_a_reply_of_only_files_is_said_in_the_readers_language(queue):
    ticket = factories.TicketFactory(queue=queue, customer=factories.CustomerFactory(
        email="mari.tamm@example.ee", language="et"), channel=Ticket.Channel.EMAIL)
    sent = services.message_add(ticket=ticket, body="Saatke palun arve.", author_user=factories.agent_in(queue.team))
    ticket_create_from_email(raw=email(subject=f"Re: [{ticket.reference}]", files=("arve.pdf",),
                                       in_reply_to=outgoing_message_id(ticket, "r", sent.pk).strip("<>"),
                                       message_id="<words-2@mail.example.ee>"))
    reply = ticket.messages.get(author_customer=ticket.customer)
    _nothing_english_stored()
    with translation.override("et"):
        assert reply.body_display == "(ainult manused)"
    with translation.override("nl"):
        assert reply.body_display == "(alleen bijlagen)"


# --- Rows stored before: the data migration -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_placeholders_stored_in_english_are_replaced_by_the_migration():
    with old_schema([("tickets", "0009_search_document_customer")]) as old:
        # The models of tickets 0009 (its customers and teams had not moved to accounts yet).
        team = old.get_model("tickets", "Team").objects.create(name="Support", slug="support")
        queue = old.get_model("tickets", "Queue").objects.create(team=team, name="General", slug="general")
        customer = old.get_model("tickets", "Customer").objects.create(name="Mari Tamm", email="mari@example.ee")
        OldTicket = old.get_model("tickets", "Ticket")
        texted, empty, typed = (
            OldTicket.objects.create(reference=f"DD-{n}", customer=customer, queue=queue, subject=subject,
                                     description=description)
            for n, subject, description in [(1, "(no subject)", "Arve on vale.\nTervitades"),
                                            (2, "(no subject)", "(no text)"), (3, "Arve", "Arve on vale.")]
        )
        reply = old.get_model("tickets", "Message").objects.create(ticket=typed, body="(attachments only)",
                                                                   author_customer=customer)
    subjects = dict(Ticket.objects.values_list("pk", "subject"))
    assert (subjects[texted.pk], subjects[empty.pk], subjects[typed.pk]) == ("Arve on vale.", "Mari Tamm", "Arve")
    assert Ticket.objects.get(pk=empty.pk).description == ""
    reply = Message.objects.get(pk=reply.pk)
    assert (reply.body, reply.phrase) == ("", {"code": "tickets.email.attachments_only", "params": {}})
    _nothing_english_stored()
