"""Email intake of real RFC 822 messages: new tickets, threading, attachments, duplicates, rejections."""

from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Customer
from tests import factories
from tickets import services
from tickets.models import Attachment, InboundEmail, Queue, Ticket
from tickets.services.email_intake import mailbox_process, ticket_create_from_email
from tickets.services.notifications import confirmation_message_id, outgoing_message_id

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


@pytest.fixture
def mari_ticket(queue):
    customer = factories.CustomerFactory(email="mari.tamm@example.ee", name="Mari Tamm", language="et")
    return factories.TicketFactory(queue=queue, customer=customer, subject="Tellimus", channel=Ticket.Channel.EMAIL)


def test_a_new_email_opens_a_ticket_for_a_new_customer(queue):
    result = ingest(raw("multipart_alternative_utf8.eml"))
    ticket = result.inbound.ticket
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert ticket.subject == "Tellimus jäi saabumata \u2013 palun aidake"
    assert ticket.description.startswith("Tere!")
    assert ticket.channel == Ticket.Channel.EMAIL
    assert ticket.customer.email == "mari.tamm@example.ee"
    assert ticket.customer.name == "Mari Tänav"
    assert ticket.customer.language == "et"
    assert ticket.queue == queue


def test_a_new_email_from_a_known_customer_uses_that_customer(queue):
    known = factories.CustomerFactory(email="Mari.Tamm@example.ee")
    ticket = ingest(raw("multipart_alternative_utf8.eml")).inbound.ticket
    assert ticket.customer == known
    assert Customer.objects.count() == 1


def test_the_raw_message_is_kept_for_every_outcome(queue):
    data = raw("html_only.eml")
    assert bytes(ingest(data).inbound.raw) == data


def test_html_only_email_becomes_a_ticket_with_plain_text(queue):
    ticket = ingest(raw("html_only.eml")).inbound.ticket
    assert "Mijn factuur van oktober is € 120" in ticket.description
    assert "<" not in ticket.description


@pytest.mark.parametrize(
    ("name", "subject", "snippet"),
    [
        ("latin1_with_attachments.eml", "Problema con el envío ¿pueden ayudarme?", "llegó dañado"),
        ("windows1252_8bit.eml", "Pääsy tilille ei onnistu \u2013 apua", "Hinta oli 10 €"),
        ("unknown_charset.eml", "Café", "El café está frío."),
    ],
)
def test_non_ascii_headers_and_bodies_arrive_intact(queue, name, subject, snippet):
    ticket = ingest(raw(name)).inbound.ticket
    assert ticket.subject == subject
    assert snippet in ticket.description


def test_attachments_of_a_new_email_are_stored_on_the_ticket(queue):
    ticket = ingest(raw("latin1_with_attachments.eml")).inbound.ticket
    files = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    assert [(f.filename, f.content_type) for f in files] == [
        ("factura_niño.pdf", "application/pdf"), ("foto.png", "image/png"),
    ]
    assert files[0].file.read().startswith(b"%PDF-")
    assert files[0].size == files[0].file.size


def test_dangerous_attachments_are_refused_but_the_email_still_becomes_a_ticket(queue):
    result = ingest(raw("dangerous_attachments.eml"))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["real.pdf"]
    assert "invoice.pdf" in result.inbound.reason
    assert "page.html" in result.inbound.reason
    assert len(result.refused_attachments) == 2


def test_a_reply_threads_onto_the_ticket_by_in_reply_to_our_notification(mari_ticket):
    staff_reply = services.message_add(ticket=mari_ticket, body="We sent a new parcel.",
                                       author_user=factories.agent_in(mari_ticket.queue.team))
    sent_id = outgoing_message_id(mari_ticket, "r", staff_reply.pk).strip("<>")
    result = ingest(raw("reply_in_reply_to.eml", in_reply_to=sent_id, ref="XX-0"))
    assert result.inbound.outcome == InboundEmail.Outcome.REPLY
    assert result.inbound.ticket == mari_ticket
    reply = mari_ticket.messages.get(author_customer=mari_ticket.customer)
    assert reply.body == "Aitäh, pakk jõudis kohale!"
    assert reply.channel == Ticket.Channel.EMAIL
    assert reply.email_message_id == "<CAF3k9xT2-reply@mail.example.ee>"


def test_a_reply_to_the_confirmation_email_threads_by_its_message_id(mari_ticket):
    result = ingest(raw("reply_in_reply_to.eml", in_reply_to=confirmation_message_id(mari_ticket).strip("<>"),
                        ref="XX-0"))
    assert result.inbound.ticket == mari_ticket


def test_a_reply_without_thread_headers_opens_a_new_ticket_naming_the_one_in_its_subject(mari_ticket):
    result = ingest(raw("reply_subject_only.eml", ref=mari_ticket.reference))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.mentioned_ticket == mari_ticket
    assert result.inbound.ticket.description.startswith("Veel üks küsimus: kas arve tuleb eraldi?")
    assert not mari_ticket.messages.exists()


def test_a_reference_in_the_subject_from_a_stranger_opens_a_new_ticket_instead(mari_ticket):
    data = raw("reply_subject_only.eml", ref=mari_ticket.reference).replace(
        b"Mari.Tamm@Example.ee", b"intruder@example.org")
    result = ingest(data)
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.ticket != mari_ticket
    assert not mari_ticket.messages.exists()


def proven_reply(ticket) -> bytes:
    return raw("reply_in_reply_to.eml", in_reply_to=confirmation_message_id(ticket).strip("<>"), ref="XX-0")


def test_a_reply_to_a_resolved_ticket_reopens_it(mari_ticket):
    services.ticket_transition(ticket=mari_ticket, to_status=Ticket.Status.RESOLVED, actor=None)
    ingest(proven_reply(mari_ticket))
    mari_ticket.refresh_from_db()
    assert mari_ticket.status == Ticket.Status.OPEN


def test_a_reply_to_a_closed_ticket_opens_a_new_ticket(mari_ticket):
    services.ticket_transition(ticket=mari_ticket, to_status=Ticket.Status.RESOLVED, actor=None)
    services.ticket_transition(ticket=mari_ticket, to_status=Ticket.Status.CLOSED, actor=None)
    result = ingest(proven_reply(mari_ticket))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.ticket.customer == mari_ticket.customer
    assert result.inbound.mentioned_ticket == mari_ticket


def test_the_same_message_id_twice_creates_nothing_new(queue):
    first = ingest(raw("html_only.eml"))
    second = ingest(raw("html_only.eml"))
    assert second.duplicate
    assert second.inbound == first.inbound
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1


def test_a_message_without_message_id_is_deduplicated_by_its_bytes(queue):
    data = b"From: a@example.com\r\nSubject: No id\r\n\r\nHello there\r\n"
    ingest(data)
    assert ingest(data).duplicate
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bounce.eml", "bounce"),
        ("auto_reply.eml", "automatic reply"),
        ("loop_from_desk.eml", "mail loop"),
        ("no_sender.eml", "no sender"),
    ],
)
def test_mail_that_cannot_become_a_ticket_is_stored_as_rejected_with_its_reason(queue, name, reason):
    result = ingest(raw(name))
    assert result.rejected
    assert reason in result.inbound.reason
    assert result.inbound.ticket is None
    assert InboundEmail.objects.filter(outcome=InboundEmail.Outcome.REJECTED).count() == 1
    assert not Ticket.objects.exists()


def test_mail_from_our_own_address_without_the_desk_header_is_a_loop(queue):
    data = raw("multipart_alternative_utf8.eml").replace(b"mari.tamm@example.ee", b"support@delightdesk.localhost")
    assert "mail loop" in ingest(data).inbound.reason


def test_the_same_rejected_message_twice_is_stored_once(queue):
    ingest(raw("bounce.eml"))
    assert ingest(raw("bounce.eml")).duplicate
    assert InboundEmail.objects.count() == 1


@pytest.fixture
def broken_storage(settings, tmp_path):
    """Attachments cannot be written (the media folder is a file): a failure on our side."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    settings.MEDIA_ROOT = blocker / "media"
    return settings


def test_a_failure_on_our_side_is_stored_and_processed_afresh_when_the_email_comes_again(queue, broken_storage,
                                                                                         tmp_path):
    first = ingest(raw("latin1_with_attachments.eml"))
    assert first.rejected and first.temporary
    broken_storage.MEDIA_ROOT = tmp_path / "media"
    second = ingest(raw("latin1_with_attachments.eml"))
    assert second.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert InboundEmail.objects.count() == 1


# --- a fresh installation, and messages that are not well formed ---------------------------------


def test_the_first_email_on_a_desk_without_any_queue_opens_a_ticket_in_a_default_queue(db):
    result = ingest(raw("html_only.eml"))
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET, result.summary
    queue = result.inbound.ticket.queue
    assert queue.is_default
    assert Queue.objects.get() == queue


def test_a_broken_mime_structure_still_becomes_a_ticket_with_its_text_and_the_original_attached(queue):
    data = raw("malformed.eml")
    result = ingest(data)
    ticket = result.inbound.ticket
    assert result.inbound.outcome == InboundEmail.Outcome.NEW_TICKET
    assert result.inbound.structure_broken
    assert ticket.description == "This body never uses the declared boundary, so there is no part at all."
    original = Attachment.objects.get(ticket=ticket)
    assert original.filename == "original-email.eml"
    assert original.file.read() == data


def test_parts_under_another_boundary_than_declared_are_read_with_the_real_one(queue):
    data = (b"From: Ana <ana@example.es>\r\nSubject: Factura\r\nMessage-ID: <wrong-boundary@example.es>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"declared\"\r\n\r\n"
            b"--actual\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAdjunto la factura.\r\n"
            b"--actual\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"f.pdf\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n--actual--\r\n")
    ticket = ingest(data).inbound.ticket
    assert ticket.description == "Adjunto la factura."
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True)) == [
        "f.pdf", "original-email.eml"]


# --- the command an MTA pipes to ----------------------------------------------------------------


def run_command(data: bytes) -> str:
    out = StringIO()
    call_command("ingest_email", stdin=BytesIO(data), stdout=out)
    return out.getvalue()


def test_ingest_email_command_reports_the_new_ticket(queue):
    output = run_command(raw("windows1252_8bit.eml"))
    assert output.strip() == f"new ticket {Ticket.objects.get().reference}"


def test_ingest_email_command_exits_non_zero_with_the_reason_on_one_line(queue):
    with pytest.raises(CommandError) as caught:
        run_command(raw("bounce.eml"))
    assert caught.value.returncode == 65
    assert str(caught.value) == "rejected: bounce (delivery status notification)"


def test_ingest_email_command_asks_the_mta_to_retry_on_a_failure_on_our_side(queue, broken_storage):
    with pytest.raises(CommandError) as caught:
        run_command(raw("latin1_with_attachments.eml"))
    assert caught.value.returncode == 75
    assert "\n" not in str(caught.value)


def test_ingest_email_command_accepts_a_duplicate_quietly(queue):
    run_command(raw("html_only.eml"))
    assert run_command(raw("html_only.eml")).startswith("already received")


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", b"From: \r\n\r\n", b"Subject: =?bogus?Q?x?=\r\n\r\n"])
def test_ingest_email_command_never_crashes_on_garbage(queue, data):
    with pytest.raises(CommandError) as caught:
        run_command(data)
    assert caught.value.returncode == 65
    assert InboundEmail.objects.filter(outcome=InboundEmail.Outcome.REJECTED).count() == 1


# --- the IMAP poller's processing ----------------------------------------------------------------


def test_the_poller_gives_every_fetched_message_an_outcome(queue):
    results = mailbox_process([
        ("1", raw("html_only.eml")), ("2", raw("bounce.eml")), ("3", raw("html_only.eml")),
        ("4", raw("latin1_with_attachments.eml")),
    ])
    assert [results[uid].summary.split(" ")[0] for uid in "1234"] == ["new", "rejected:", "already", "new"]
    assert InboundEmail.objects.count() == 3


def test_the_poller_task_does_nothing_without_imap_url(settings):
    from tickets.tasks import poll_imap

    settings.IMAP_URL = ""
    assert poll_imap() == 0


def test_rejected_messages_are_listed_for_admins_with_their_reason(client, admin_user, queue):
    ingest(raw("bounce.eml"))
    client.force_login(admin_user)
    response = client.get("/admin/tickets/inboundemail/?outcome=rejected")
    assert response.status_code == 200
    assert "bounce (delivery status notification)" in response.content.decode()


def test_the_imap_url_is_read_into_connection_settings(settings):
    from tickets.tasks import _imap_settings

    settings.IMAP_URL = "imaps://desk%40example.com:p%40ss@imap.example.com/Support"
    assert _imap_settings() == {"ssl": True, "host": "imap.example.com", "port": 993, "user": "desk@example.com",
                                "password": "p@ss", "mailbox": "Support"}


def test_a_staff_member_answering_a_notification_by_email_is_rejected_not_made_a_customer(mari_ticket, agent):
    data = raw("reply_subject_only.eml", ref=mari_ticket.reference).replace(b"Mari.Tamm@Example.ee",
                                                                             agent.email.encode())
    result = ingest(data)
    assert result.rejected and "staff member" in result.inbound.reason
    assert not Customer.objects.filter(email__iexact=agent.email).exists()
    assert not mari_ticket.messages.exists()
