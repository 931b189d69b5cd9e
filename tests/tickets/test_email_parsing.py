"""The parser is a pure function from RFC 822 bytes to a ParsedEmail: no database, never raises."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.email_parsing import REPLY_MARKER, html_to_text, parse_email, strip_quoted_reply

EMAILS = Path(__file__).parent / "emails"


def parse(name: str):
    return parse_email((EMAILS / name).read_bytes())


def test_multipart_alternative_prefers_the_plain_part_and_decodes_utf8_headers():
    parsed = parse("multipart_alternative_utf8.eml")
    assert parsed.subject == "Tellimus jäi saabumata \u2013 palun aidake"
    assert parsed.sender == "mari.tamm@example.ee"
    assert parsed.sender_name == "Mari Tänav"
    assert parsed.text.startswith("Tere!\n\nMinu tellimus nr 4521 jäi saabumata.")
    assert "<div" not in parsed.text
    assert parsed.message_id == "<CAF3k9xT2-utf8-alt@mail.example.ee>"
    assert parsed.language == "et"
    assert parsed.attachments == ()


def test_html_only_body_becomes_text_without_scripts_styles_or_tags():
    parsed = parse("html_only.eml")
    assert "Mijn factuur van oktober is € 120" in parsed.text
    assert "& dat klopt niet" in parsed.text
    assert "- Klantnummer: 8812" in parsed.text
    assert "(https://example.nl/f/2026-10)" in parsed.text
    for forbidden in ("<", "alert", "color: red", "onerror"):
        assert forbidden not in parsed.text


def test_iso_8859_1_headers_body_and_rfc2231_attachment_name_are_decoded():
    parsed = parse("latin1_with_attachments.eml")
    assert parsed.subject == "Problema con el envío ¿pueden ayudarme?"
    assert parsed.sender_name == "José Núñez"
    assert "El paquete llegó dañado." in parsed.text
    names = [a.name for a in parsed.attachments]
    assert names == ["factura niño.pdf", "foto.png"]
    assert parsed.attachments[0].data.startswith(b"%PDF-")
    assert parsed.attachments[1].data.startswith(b"\x89PNG")


def test_windows_1252_8bit_body_and_header_are_decoded():
    parsed = parse("windows1252_8bit.eml")
    assert parsed.subject == "Pääsy tilille ei onnistu \u2013 apua"
    assert "en pääse kirjautumaan \u2013 salasana ei kelpaa. Hinta oli 10 €." in parsed.text


def test_an_unknown_charset_falls_back_instead_of_raising():
    parsed = parse("unknown_charset.eml")
    assert parsed.text == "El café está frío."
    assert parsed.subject == "Café"


def test_reply_headers_are_read_most_recent_first():
    parsed = parse_email(
        b"From: a@example.com\r\nMessage-ID: <r@x>\r\nIn-Reply-To: <b@x>\r\nReferences: <a@x>\r\n <b@x>\r\n\r\nhi\r\n"
    )
    assert parsed.in_reply_to == ("<b@x>",)
    assert parsed.references == ("<a@x>", "<b@x>")
    assert parsed.thread_ids == ("<b@x>", "<a@x>")


def test_reply_text_drops_the_quoted_history_under_our_marker():
    parsed = parse("reply_in_reply_to.eml")
    assert parsed.reply_text == "Aitäh, pakk jõudis kohale!"
    assert REPLY_MARKER in parsed.text


@pytest.mark.parametrize("language", ["en", "et", "nl", "es", "fi"])
def test_the_marker_speaks_the_customers_language_and_is_recognised_in_any(language):
    from django.utils import translation

    from tickets.services.notifications import reply_marker

    with translation.override(language):
        marker = reply_marker()
    assert (marker == REPLY_MARKER) == (language == "en")
    quoted = f"Aitäh, pakk jõudis kohale!\n\nOn Sun, 22 Nov 2026, Delight Desk wrote:\n> {marker}\n> Tere, Mari!"
    assert strip_quoted_reply(quoted) == "Aitäh, pakk jõudis kohale!"
    assert strip_quoted_reply(f"Tänan!\n{marker}\nTere, Mari!") == "Tänan!"


def test_reply_text_drops_an_outlook_original_message_block():
    assert parse("reply_subject_only.eml").reply_text == "Veel üks küsimus: kas arve tuleb eraldi?"


def test_quoted_text_alone_is_kept_rather_than_emptied():
    assert strip_quoted_reply("> only a quote") == "> only a quote"


@pytest.mark.parametrize(
    ("name", "flag"),
    [("bounce.eml", "is_bounce"), ("auto_reply.eml", "is_auto_submitted"), ("loop_from_desk.eml", "from_desk")],
)
def test_automatic_mail_is_flagged(name, flag):
    assert getattr(parse(name), flag) is True


def test_a_person_s_mail_carries_no_automatic_flag():
    parsed = parse("multipart_alternative_utf8.eml")
    assert not (parsed.is_bounce or parsed.is_auto_submitted or parsed.from_desk or parsed.malformed)


def test_a_message_without_from_has_no_sender():
    parsed = parse("no_sender.eml")
    assert parsed.sender == ""
    assert parsed.malformed == ""


def test_a_multipart_without_its_boundary_is_malformed():
    assert "boundary" in parse("malformed.eml").malformed


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"not an email at all", b"\x00\xff\xfe garbage \x80"])
def test_bytes_that_are_not_an_email_are_malformed(raw):
    assert parse_email(raw).malformed


def test_html_to_text_decodes_entities_and_never_returns_markup():
    text = html_to_text("<p>a &lt;b&gt; &amp; <b>c</b></p><script>x()</script><style>p{}</style>")
    assert text == "a <b> & c"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_email_never_raises_on_arbitrary_bytes(raw):
    parse_email(raw)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_parse_email_never_raises_on_arbitrary_headers_and_body(subject, body):
    raw = f"From: {subject}\r\nSubject: {subject}\r\nContent-Type: {body[:40]}\r\n\r\n{body}".encode(
        "utf-8", "surrogatepass"
    )
    parse_email(raw)
