"""The translation-catalogue gate (marker `i18n_catalogues`; run alone with `pytest -m i18n_catalogues`).

Every message marked for translation in the project's Python files and templates must be in each of
locale/{en,et,nl,es,fi}/LC_MESSAGES/django.po, translated (non-empty, not fuzzy) in et, nl, es and fi.
English is the source language: the msgids are the English text, so the `en` catalogue only has to
list every message (an empty msgstr falls back to the msgid); a msgstr there overrides the wording.

Pure Python (ast, Django's templatize, polib): no GNU gettext needed. See docs/i18n.md.
"""

import polib
import pytest

from tests.i18n.extract import (
    ALL_LANGUAGES,
    CATALOGUE,
    TARGET_LANGUAGES,
    Message,
    catalogue_problems,
    messages_in_python,
    messages_in_template,
    project_messages,
)

pytestmark = pytest.mark.i18n_catalogues



@pytest.fixture(scope="module")
def messages():
    found, _ = project_messages()
    return found


def _report(problems, limit: int = 80) -> str:
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return f"{len(problems)} problem(s):\n" + "\n".join(lines)


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_every_message_is_in_the_catalogue_and_translated(messages, language):
    problems = catalogue_problems(messages, language)
    assert not problems, _report(problems)


def test_no_translation_call_is_invisible_to_makemessages():
    _, invisible = project_messages()
    assert not invisible, "\n".join(map(str, invisible))


# Spanish has a third form for whole millions ("1 millón de ..."), as in Django's own catalogue.
@pytest.mark.parametrize(("language", "forms"), [("en", 2), ("et", 2), ("nl", 2), ("es", 3), ("fi", 2)])
def test_each_language_has_a_catalogue_with_its_plural_rule(language, forms):
    catalogue = polib.pofile(str(CATALOGUE).format(language=language))
    assert catalogue.metadata.get("Language") == language
    assert f"nplurals={forms};" in catalogue.metadata.get("Plural-Forms", "")
    assert not catalogue.metadata_is_fuzzy  # a fuzzy header would hide the plural rule from msgfmt


def test_project_has_messages_to_translate(messages):
    assert len(messages) > 50
    assert (None, "Delight Desk") in messages  # templates/base.html


# --- The extractor and the checker: each can find what it is meant to find.

PY_SOURCE = '''
from django.utils.translation import gettext as _, gettext_lazy, ngettext, pgettext_lazy
a = _("Plain")
b = gettext_lazy("Lazy " "joined")
c = ngettext("%(n)s ticket", "%(n)s tickets", 3)
d = pgettext_lazy("month", "May")
e = _(some_variable)
f = _(f"Hello {name}")
g = _("Hi %s" % name)
h = f"{x or _('Hidden')}"
'''


def test_python_extraction_reads_literal_messages_with_context_and_plural():
    found, _ = messages_in_python(PY_SOURCE, "example.py")
    assert {m for m, _ in found} == {
        Message("Plain"),
        Message("Lazy joined"),
        Message("%(n)s ticket", None, "%(n)s tickets"),
        Message("May", "month"),
    }


def test_python_extraction_flags_messages_makemessages_cannot_see():
    _, invisible = messages_in_python(PY_SOURCE, "example.py")
    assert {i.where for i in invisible} == {"example.py:8", "example.py:9", "example.py:10"}


def test_template_extraction_reads_translate_blocktranslate_plural_and_context():
    source = (
        '{% load i18n %}<h1>{% translate "Rate us" %}</h1>'
        '{% translate "May" context "month" %}'
        "{% blocktranslate trimmed count counter=n %}\n  One star\n{% plural %}\n  {{ counter }} stars\n"
        "{% endblocktranslate %}\n"
        '<p title="{% translate \'Where did we go wrong?\' %}">{% blocktranslate with name=x %}Hi {{ name }}'
        "{% endblocktranslate %}</p>"
    )
    assert {m for m, _ in messages_in_template(source, "t.html")} == {
        Message("Rate us"),
        Message("May", "month"),
        Message("One star", None, "%(counter)s stars"),
        Message("Where did we go wrong?"),
        Message("Hi %(name)s"),
    }


def _catalogue(tmp_path, entries, language="fi"):
    po = polib.POFile()
    po.metadata = {"Language": language, "Content-Type": "text/plain; charset=UTF-8"}
    for entry in entries:
        po.append(entry)
    path = tmp_path / "django.po"
    po.save(str(path))
    return path


def _found(*messages):
    from tests.i18n.extract import Found

    return {m.key: Found(m, {"x.py:1"}) for m in messages}


def test_checker_reports_missing_untranslated_and_fuzzy_messages(tmp_path):
    path = _catalogue(tmp_path, [
        polib.POEntry(msgid="Done", msgstr="Valmis"),
        polib.POEntry(msgid="Empty", msgstr=""),
        polib.POEntry(msgid="Guess", msgstr="Arvaus", flags=["fuzzy"]),
        polib.POEntry(msgid="%(n)s star", msgid_plural="%(n)s stars", msgstr_plural={0: "%(n)s tähti", 1: ""}),
    ])
    messages = _found(Message("Done"), Message("Empty"), Message("Guess"), Message("Absent"),
                      Message("%(n)s star", None, "%(n)s stars"))
    kinds = {(p.message.msgid, p.kind) for p in catalogue_problems(messages, "fi", path)}
    assert kinds == {("Empty", "untranslated"), ("Guess", "fuzzy"), ("Absent", "missing"),
                     ("%(n)s star", "untranslated")}


def test_checker_tells_contexts_apart(tmp_path):
    path = _catalogue(tmp_path, [polib.POEntry(msgid="May", msgstr="Saab")])
    problems = catalogue_problems(_found(Message("May", "month")), "et", path)
    assert [(p.message.msgctxt, p.kind) for p in problems] == [("month", "missing")]


def test_checker_lets_english_fall_back_to_the_msgid_but_not_miss_it(tmp_path):
    path = _catalogue(tmp_path, [polib.POEntry(msgid="Done", msgstr="")], language="en")
    problems = catalogue_problems(_found(Message("Done"), Message("Absent")), "en", path)
    assert [(p.message.msgid, p.kind) for p in problems] == [("Absent", "missing")]


def test_target_languages_are_the_desks_languages_other_than_english(settings):
    assert {code for code, _ in settings.LANGUAGES} == {"en", *TARGET_LANGUAGES}
