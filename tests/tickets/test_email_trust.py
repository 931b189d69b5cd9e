"""Email replies cannot be forged: a reply lands on a ticket only with proof that it answers the desk's
mail (a Message-ID signed with SECRET_KEY), from that ticket's customer, and not when the receiving
server says the sender failed DMARC or SPF. Real mail clients' replies still thread."""

from pathlib import Path

import pytest
from django.core import mail

from tests import factories
from tickets import services
from tickets.models import Attachment, InboundEmail, NotificationLog, Ticket
from tickets.services.email_intake import ticket_create_from_email
from tickets.services.notifications import confirmation_message_id
from tickets.tasks import send_ticket_confirmation

EMAILS = Path(__file__).parent / "emails"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def raw(name: str, **replace: str) -> bytes:
    data = (EMAILS / name).read_bytes()
    for key, value in replace.items():
        data = data.replace(f"__{key.upper()}__".encode(), value.encode())
    return data


def ingest(data: bytes):
    return ticket_create_from_email(raw=data)


def ticket_of(queue, email: str, name: str = "Customer", language: str = "en") -> Ticket:
    customer = factories.CustomerFactory(email=email, name=name, language=language)
    return factories.TicketFactory(queue=queue, customer=customer, subject="Order", channel=Ticket.Channel.EMAIL)


@pytest.fixture
def mari_ticket(queue):
    return ticket_of(queue, "mari.tamm@example.ee", "Mari Tamm", "et")


def sent_confirmation_id(ticket: Ticket) -> str:
    """The Message-ID of the confirmation the desk really sent, without its angle brackets."""
    send_ticket_confirmation(ticket.pk)
    return mail.outbox[-1].extra_headers["Message-ID"].strip("<>")


# --- forgery -----------------------------------------------------------------------------------


def test_a_reference_in_the_subject_alone_does_not_make_a_reply(mari_ticket):
    result = ingest(raw("reply_subject_only.eml", ref=mari_ticket.reference))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.ticket != mari_ticket
    assert not mari_ticket.messages.exists()


def test_a_new_email_naming_a_ticket_mentions_it_on_the_new_ticket(mari_ticket):
    result = ingest(raw("reply_subject_only.eml", ref=mari_ticket.reference))
    assert result.inbound.mentioned_ticket == mari_ticket
    assert result.inbound.ticket.customer == mari_ticket.customer
    assert f"mentions {mari_ticket.reference}" in result.summary


def test_a_guessed_desk_style_message_id_does_not_thread(mari_ticket):
    guessed = f"dd.{mari_ticket.reference}.0@delightdesk.localhost"
    result = ingest(raw("reply_in_reply_to.eml", in_reply_to=guessed, ref="XX-0"))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert not mari_ticket.messages.exists()


def test_a_message_id_signed_with_another_key_does_not_thread(mari_ticket, settings):
    settings.SECRET_KEY = "another-desk-" + "x" * 50
    foreign = confirmation_message_id(mari_ticket).strip("<>")
    settings.SECRET_KEY = "django-insecure-dev-only-never-use-in-production"
    result = ingest(raw("reply_in_reply_to.eml", in_reply_to=foreign, ref="XX-0"))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET


def test_a_reply_to_the_desk_s_confirmation_threads_onto_the_ticket(mari_ticket):
    result = ingest(raw("reply_in_reply_to.eml", in_reply_to=sent_confirmation_id(mari_ticket), ref="XX-0"))
    assert result.inbound.outcome == InboundEmail.Outcome.REPLY
    assert result.inbound.ticket == mari_ticket
    assert mari_ticket.messages.get().body == "Aitäh, pakk jõudis kohale!"


def test_a_message_id_signed_before_a_key_rotation_still_threads(mari_ticket, settings):
    old_key = settings.SECRET_KEY
    proof = confirmation_message_id(mari_ticket).strip("<>")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-" + "y" * 50, [old_key]
    result = ingest(raw("reply_in_reply_to.eml", in_reply_to=proof, ref="XX-0"))
    assert result.inbound.ticket == mari_ticket


def test_proof_from_another_address_opens_a_new_ticket_for_that_address(mari_ticket):
    data = raw("reply_in_reply_to.eml", in_reply_to=sent_confirmation_id(mari_ticket), ref="XX-0").replace(
        b"mari.tamm@example.ee", b"colleague@example.ee")
    result = ingest(data)
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.ticket.customer.email == "colleague@example.ee"
    assert result.inbound.mentioned_ticket == mari_ticket
    assert not mari_ticket.messages.exists()


def test_two_addresses_in_from_are_refused(mari_ticket):
    data = raw("reply_in_reply_to.eml", in_reply_to=sent_confirmation_id(mari_ticket), ref="XX-0").replace(
        b"From: Mari Tamm <mari.tamm@example.ee>", b"From: mari.tamm@example.ee, Eve <eve@example.org>")
    result = ingest(data)
    assert result.rejected
    assert "several addresses in From" in result.inbound.reason
    assert not mari_ticket.messages.exists()


def test_a_sender_other_than_from_is_held_as_a_new_ticket(mari_ticket):
    data = raw("reply_in_reply_to.eml", in_reply_to=sent_confirmation_id(mari_ticket), ref="XX-0").replace(
        b"To: Delight", b"Sender: Eve <eve@example.org>\r\nTo: Delight")
    result = ingest(data)
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.held_because == InboundEmail.HoldReason.SENDER_DIFFERS
    assert not mari_ticket.messages.exists()


def test_a_sender_header_equal_to_from_is_fine(mari_ticket):
    data = raw("reply_in_reply_to.eml", in_reply_to=sent_confirmation_id(mari_ticket), ref="XX-0").replace(
        b"To: Delight", b"Sender: MARI.TAMM@example.ee\r\nTo: Delight")
    assert ingest(data).inbound.ticket == mari_ticket


# --- Authentication-Results from the receiving server ------------------------------------------


@pytest.fixture
def trusted_mx(settings):
    settings.EMAIL_TRUSTED_AUTHSERV_IDS = ["mx.delightdesk.localhost"]


def test_a_dmarc_failure_from_the_trusted_server_holds_a_new_ticket_and_never_replies(mari_ticket, trusted_mx):
    proof = sent_confirmation_id(mari_ticket)
    result = ingest(raw("forged_reply_dmarc_fail.eml", in_reply_to=proof, ref=mari_ticket.reference))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.held_because == InboundEmail.HoldReason.DMARC_FAILED
    assert result.inbound.mentioned_ticket == mari_ticket
    assert not mari_ticket.messages.exists()


def test_a_held_ticket_gets_no_confirmation_and_keeps_the_original_for_review(mari_ticket, trusted_mx):
    proof = sent_confirmation_id(mari_ticket)
    mail.outbox.clear()
    held = ingest(raw("forged_reply_dmarc_fail.eml", in_reply_to=proof, ref=mari_ticket.reference)).inbound.ticket
    assert send_ticket_confirmation(held.pk) is False
    assert mail.outbox == []
    delivery = NotificationLog.objects.select_related("delivery").get(ticket=held).delivery
    assert (delivery.state, delivery.cancel_reason) == ("cancelled", "held_for_review")
    assert list(Attachment.objects.filter(ticket=held).values_list("filename", flat=True)) == ["original-email.eml"]


def test_an_spf_failure_from_the_trusted_server_holds_the_email(mari_ticket, trusted_mx):
    data = raw("reply_in_reply_to.eml", in_reply_to=sent_confirmation_id(mari_ticket), ref="XX-0")
    data = b"Authentication-Results: mx.delightdesk.localhost 1; spf=fail smtp.mailfrom=example.ee\r\n" + data
    assert ingest(data).inbound.held_because == InboundEmail.HoldReason.SPF_FAILED


def test_authentication_results_from_an_untrusted_server_are_ignored(mari_ticket, trusted_mx):
    data = raw("reply_in_reply_to.eml", in_reply_to=sent_confirmation_id(mari_ticket), ref="XX-0")
    data = b"Authentication-Results: mx.evil.example; dmarc=fail header.from=example.ee\r\n" + data
    result = ingest(data)
    assert result.inbound.ticket == mari_ticket
    assert result.inbound.held_because == ""


def test_without_a_trusted_server_no_authentication_results_are_read(mari_ticket):
    proof = sent_confirmation_id(mari_ticket)
    result = ingest(raw("forged_reply_dmarc_fail.eml", in_reply_to=proof, ref=mari_ticket.reference))
    assert result.inbound.held_because == ""  # the desk was not told which server to believe


def test_a_passing_reply_from_the_trusted_server_threads(mari_ticket, trusted_mx):
    proof = sent_confirmation_id(mari_ticket)
    data = raw("reply_in_reply_to.eml", in_reply_to=proof, ref="XX-0")
    data = b"Authentication-Results: mx.delightdesk.localhost; spf=pass; dkim=pass; dmarc=pass\r\n" + data
    assert ingest(data).inbound.ticket == mari_ticket


# --- real clients' replies still thread --------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "email", "expected", "files"),
    [
        ("client_gmail_reply.eml", "mari.tamm@example.ee",
         "Thank you, the new parcel arrived today! The box was fine.", []),
        ("client_outlook_reply.eml", "jan.devries@example.nl",
         "Dank u, het bedrag van € 100 klopt nu.\n\nMet vriendelijke groet,\nJan", []),
        ("client_apple_mail_reply.eml", "ana.garcia@example.es", "Here is a photo of the label.\n\nAna", ["label.png"]),
        ("client_thunderbird_reply.eml", "matti.virtanen@example.fi",
         "Hei,\n\nkiitos, salasanan vaihto onnistui. Hinta 10 € on nyt oikein.\n\nMatti", []),
        ("client_mobile_html_reply.eml", "pieter@example.nl", "Perfect, thank you! \U0001F44D", []),
    ],
)
def test_replies_from_real_mail_clients_thread_with_their_text_and_files(queue, fixture, email, expected, files):
    ticket = ticket_of(queue, email)
    result = ingest(raw(fixture, in_reply_to=sent_confirmation_id(ticket), ref=ticket.reference))
    assert result.inbound.outcome == InboundEmail.Outcome.REPLY, result.summary
    reply = ticket.messages.get()
    assert reply.body == expected
    assert [a.filename for a in reply.attachments.all()] == files


def test_every_notification_the_desk_sends_carries_a_proof_that_threads(mari_ticket, agent):
    services.ticket_assign(ticket=mari_ticket, assignee=agent, actor=agent)
    staff_reply = services.message_add(ticket=mari_ticket, body="We sent a new parcel.", author_user=agent)
    from tickets.tasks import notify_customer_of_reply

    notify_customer_of_reply(staff_reply.pk)
    proof = mail.outbox[-1].extra_headers["Message-ID"].strip("<>")
    assert ingest(raw("reply_in_reply_to.eml", in_reply_to=proof, ref="XX-0")).inbound.ticket == mari_ticket


def test_the_desk_s_message_ids_are_the_same_for_a_re_send_and_differ_between_rows(queue):
    first, second = ticket_of(queue, "a@example.com"), ticket_of(queue, "b@example.com")
    assert confirmation_message_id(first) == confirmation_message_id(first)
    assert confirmation_message_id(first) != confirmation_message_id(second)
    assert first.reference in confirmation_message_id(first)


# --- what the agent sees -------------------------------------------------------------------------


def test_the_ticket_page_warns_of_a_held_email_and_links_the_ticket_it_mentions(client, agent, mari_ticket,
                                                                                 trusted_mx):
    proof = sent_confirmation_id(mari_ticket)
    held = ingest(raw("forged_reply_dmarc_fail.eml", in_reply_to=proof, ref=mari_ticket.reference)).inbound.ticket
    client.force_login(agent)
    page = client.get(f"/tickets/{held.reference}/").content.decode()
    assert "Held for review:" in page
    assert "DMARC failed" in page
    assert f'<a href="/tickets/{mari_ticket.reference}/">{mari_ticket.reference}</a>' in page
    assert "original-email.eml" in page


def test_an_ordinary_email_ticket_page_carries_no_email_notice(client, agent, queue):
    ticket = ingest(raw("multipart_alternative_utf8.eml")).inbound.ticket
    client.force_login(agent)
    assert "data-email-notice" not in client.get(f"/tickets/{ticket.reference}/").content.decode()
