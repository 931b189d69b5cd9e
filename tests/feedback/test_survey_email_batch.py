"""A batch of survey emails renders its templates once per language and fills in each survey's values:
every customer still gets their own words, in their own language, with what they typed escaped in HTML."""

import pytest

from tests import factories
from tests.feedback import helpers as ff
from tests.feedback.helpers import new_ticket, resolve, send_due

pytestmark = pytest.mark.django_db
_fast_passwords, _role_groups = ff._fast_passwords, ff._role_groups  # fixtures used here
delay_zero, survey_mails = ff.delay_zero, ff.survey_mails


def _html(message) -> str:
    alternative = message.alternatives[0]
    return alternative[0] if isinstance(alternative, tuple) else alternative.content


def test_one_batch_sends_each_customer_their_own_words_in_their_own_language(queue, agent, delay_zero):
    hostile = factories.CustomerFactory(name='Ann <b>"O\'Neil"</b> & Co', language="en")
    estonian = factories.CustomerFactory(name="Kadri Tamm", language="et")
    resolve(new_ticket(queue, hostile, subject="Printer <script>alert(1)</script>"), agent)
    resolve(new_ticket(queue, estonian, subject="Arve on vale"), agent)

    assert send_due() == ["sent", "sent"]

    by_customer = {message.to[0]: message for message in survey_mails()}
    english, kadri = by_customer[hostile.email], by_customer[estonian.email]
    assert "Ann <b>\"O'Neil\"</b> & Co" in english.body and "Printer <script>" in english.subject
    assert "Ann &lt;b&gt;&quot;O&#x27;Neil&quot;&lt;/b&gt; &amp; Co" in _html(english)
    assert "<script>" not in _html(english) and "&lt;script&gt;alert(1)&lt;/script&gt;" in _html(english)
    assert "Kadri Tamm" in kadri.body and "Arve on vale" in kadri.subject
    assert kadri.extra_headers["Content-Language"] == "et" and english.extra_headers["Content-Language"] == "en"
    assert "Kadri" not in english.body and "Ann" not in kadri.body
    assert "\x00" not in english.body + _html(english) + kadri.body + _html(kadri) + english.subject
