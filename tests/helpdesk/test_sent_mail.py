"""The staff's Sent mail page (development: the mail the desk wrote to .eml files) speaks the reader's language:
its labels are translated and its dates are shown in the reader's format and time zone, like every other page."""

from email.message import EmailMessage

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(settings, tmp_path):
    settings.SHOW_SENT_MAIL = True
    settings.EMAIL_FILE_PATH = tmp_path
    message = EmailMessage()
    message["From"] = "Delight Desk <support@delightdesk.localhost>"
    message["To"] = "kadri@example.ee"
    message["Subject"] = "[DD-1001] Saime teie pöördumise kätte"
    message["Date"] = "Thu, 03 Dec 2026 16:08:17 -0000"
    message["Message-ID"] = "<dd.1@delightdesk.localhost>"
    message.set_content("Tere, Kadri!")
    (tmp_path / "20261203-160817-1.eml").write_bytes(message.as_bytes())
    return "20261203-160817-1.eml"


@pytest.fixture
def estonian_supervisor(client, team):
    user = factories.supervisor_of(team)
    user.profile.language, user.profile.time_zone = "et", "Europe/Tallinn"
    user.profile.save(update_fields=["language", "time_zone"])
    client.force_login(user)
    return user


def test_the_sent_mail_list_speaks_the_readers_language(sent, estonian_supervisor, client):
    page = client.get(reverse("sent_mail")).content.decode()
    assert "Saadetud kirjad" in page and "Saaja" in page
    assert "3. detsember 2026 18:08" in page and "Thu, 03 Dec" not in page


def test_a_sent_message_shows_its_headers_in_the_readers_language(sent, estonian_supervisor, client):
    page = client.get(reverse("sent_mail_detail", args=[sent])).content.decode()
    assert ">Saatja<" in page and ">Saaja<" in page and ">Teema<" in page and ">Kuupäev<" in page
    assert "3. detsember 2026 18:08" in page
    assert ">From<" not in page and ">Subject<" not in page and "Thu, 03 Dec" not in page
