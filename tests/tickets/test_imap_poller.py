"""The IMAP poller against a real IMAP server: a throwaway Dovecot on a free loopback port.

Messages are appended over IMAP (as a mail server would deliver them), then `poll_imap` fetches,
ingests and flags them. Skips locally without Dovecot (`apt-get install dovecot-imapd`); fails under CI.
"""

import contextlib
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tickets.models import InboundEmail, Ticket
from tickets.tasks import poll_imap

EMAILS = Path(__file__).parent / "emails"
USER, PASSWORD = "desk", "imap-secret"
pytestmark = [pytest.mark.django_db, pytest.mark.imap]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accounts() -> tuple[str, str, pwd.struct_passwd]:
    """Login, internal and mail users: Dovecot's own when run as root, else all the current user."""
    if os.geteuid() == 0:
        return "dovenull", "dovecot", pwd.getpwnam("dovecot")
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me


def _config(base: Path, port: int) -> str:
    login_user, internal_user, mail_user = _accounts()
    group = mail_user.pw_gid
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={group} home={base}/home/%u
}}
"""


def _wait_for_port(port: int, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"Dovecot did not start: {log.read_text() if log.exists() else 'no log'}")


@contextlib.contextmanager
def _running_dovecot(skip_or_fail):
    """A throwaway Dovecot on a free port; gives the port. It takes a second to stop."""
    dovecot = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if dovecot is None:
        skip_or_fail("needs Dovecot (apt-get install dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="dd-imap-"))  # short: Dovecot's sockets live under it
    (base / "home").mkdir()
    base.chmod(0o755)
    (base / "home").chmod(0o777)  # the mail user (not us when root) creates its Maildir here
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    config = base / "dovecot.conf"
    config.write_text(_config(base, port))
    # -F: stay in the foreground as our child, so the teardown stops exactly this instance.
    server = subprocess.Popen([dovecot, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, base / "dovecot.log")
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def dovecot(skip_or_fail):
    """One Dovecot for the module's tests that log in with the right password."""
    with _running_dovecot(skip_or_fail) as port:
        yield port


@pytest.fixture
def lone_dovecot(skip_or_fail):
    """A Dovecot of its own: after a failed login Dovecot makes the next logins from the address wait."""
    with _running_dovecot(skip_or_fail) as port:
        yield port


@pytest.fixture
def imap_server(dovecot, settings):
    """The module's Dovecot with an empty INBOX, and the desk pointed at it."""
    with imaplib.IMAP4("127.0.0.1", dovecot) as client:
        client.login(USER, PASSWORD)
        if int(client.select("INBOX")[1][0]):  # a set of "1:*" is refused on an empty mailbox
            client.store("1:*", "+FLAGS", "\\Deleted")
            client.expunge()
    settings.IMAP_URL = f"imap://{USER}:{PASSWORD}@127.0.0.1:{dovecot}/INBOX"
    return dovecot


def deliver(port: int, *names: str) -> None:
    with imaplib.IMAP4("127.0.0.1", port) as client:
        client.login(USER, PASSWORD)
        for name in names:
            client.append("INBOX", None, None, (EMAILS / name).read_bytes())


def unseen(port: int) -> list[bytes]:
    with imaplib.IMAP4("127.0.0.1", port) as client:
        client.login(USER, PASSWORD)
        client.select("INBOX")
        _status, data = client.uid("search", None, "UNSEEN")
        return (data[0] or b"").split()


def test_the_poller_turns_each_unseen_message_into_a_ticket_and_flags_it_seen(imap_server, queue):
    deliver(imap_server, "multipart_alternative_utf8.eml", "latin1_with_attachments.eml")

    assert poll_imap() == 2

    assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 2
    assert unseen(imap_server) == []


def test_a_second_poll_fetches_nothing_already_handled(imap_server, queue):
    deliver(imap_server, "html_only.eml")
    poll_imap()

    assert poll_imap() == 0
    assert Ticket.objects.count() == 1


def test_a_message_that_cannot_become_a_ticket_is_stored_rejected_and_flagged_seen(imap_server, queue):
    deliver(imap_server, "bounce.eml")

    assert poll_imap() == 1

    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.REJECTED
    assert Ticket.objects.count() == 0
    assert unseen(imap_server) == []


def test_the_poll_stops_at_the_batch_size_and_leaves_the_rest_unseen(imap_server, queue):
    deliver(imap_server, "multipart_alternative_utf8.eml", "html_only.eml", "windows1252_8bit.eml")

    assert poll_imap(batch=2) == 2

    assert len(unseen(imap_server)) == 1
    assert poll_imap() == 1
    assert Ticket.objects.count() == 3


def test_wrong_credentials_raise_instead_of_passing_silently(lone_dovecot, settings, queue):
    settings.IMAP_URL = f"imap://{USER}:wrong@127.0.0.1:{lone_dovecot}/INBOX"

    with pytest.raises(imaplib.IMAP4.error):
        poll_imap.run()


def test_a_message_over_email_max_bytes_is_recorded_from_its_headers_and_flagged_seen(imap_server, queue, settings):
    settings.EMAIL_MAX_BYTES = 800
    deliver(imap_server, "latin1_with_attachments.eml")

    assert poll_imap() == 1

    inbound = InboundEmail.objects.get()
    assert inbound.outcome == InboundEmail.Outcome.REJECTED
    assert "EMAIL_MAX_BYTES" in inbound.reason
    assert inbound.sender == "jose.nunez@example.es"
    assert b"JVBERi0" not in bytes(inbound.raw)  # the body was never fetched
    assert unseen(imap_server) == []
