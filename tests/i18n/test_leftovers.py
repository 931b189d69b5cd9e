"""The English-leftover checker the language journeys rely on: it must find English the catalogues translate,
and stay quiet on a translated page, on words shared by both languages and on the data people typed."""

from django.utils import translation

from tests.i18n.leftovers import english_left, page_text


def _in(language: str, *messages: str) -> str:
    with translation.override(language):
        return " ".join(translation.gettext(message) for message in messages)


def test_an_english_sentence_left_on_an_estonian_page_is_found():
    text = _in("et", "How did we do?", "Tell us more (optional)") + " Send my rating " + _in("et", "Log out")
    assert english_left(text, "et") == ["Send my rating"]


def test_an_english_sentence_with_a_placeholder_is_found_by_its_fixed_words():
    assert english_left("Tere! Thank you for contacting us. Your request has the reference DD-1001; we will answer "
                        "soon.", "et") == ["Thank you for contacting us. Your request has the reference"]


def test_a_translated_page_has_no_leftover():
    for language in ("et", "nl", "es", "fi"):
        text = _in(language, "How did we do?", "Send my rating", "Tell us more (optional)", "Where did we go wrong?",
                   "Thank you! Your answer is recorded.", "Log out", "Escalations", "This field is required.")
        assert english_left(text, language) == [], language


def test_words_the_translation_keeps_are_not_leftovers():
    assert english_left("Delight Desk · CSAT 82 % · API", "et") == []


def test_english_data_people_typed_is_allowed_when_named():
    text = _in("et", "Queue") + ": Customer care · Printer prints blank pages"
    assert english_left(text, "et", allowed=("Customer care", "Printer prints blank pages")) == []


def test_an_empty_allowed_entry_hides_nothing():
    assert english_left("Send my rating", "et", allowed=("", "Purrfect Prints")) == ["Send my rating"]


def test_english_is_what_an_english_reader_expects():
    assert english_left("Send my rating", "en") == []


def test_page_text_reads_what_a_reader_meets_but_not_scripts():
    html = ('<title>Survey</title><button aria-label="Close the dialog">&times;</button><script>var s = "Hidden code";'
            '</script><script type="application/json">{"good": "What did we do right?"}</script>'
            '<input type="submit" value="Send my answer"><p>Shown text</p>')
    text = page_text(html)
    for seen in ("Survey", "Close the dialog", "What did we do right?", "Send my answer", "Shown text"):
        assert seen in text
    assert "Hidden code" not in text
