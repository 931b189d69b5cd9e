"""The embedded broker (helpdesk/broker.py): consumers see whole messages or none."""

from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from helpdesk import broker


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    broker.register()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder),
               "control_folder": str(tmp_path / "control"), "store_processed": False}
    with Connection(f"{broker.SCHEME}://", transport_options=options) as connection:
        yield connection.default_channel, folder


def test_a_message_is_readable_as_soon_as_its_file_appears(channel):
    chan, folder = channel
    chan._put("jobs", {"body": "hello"})

    assert [path.suffix for path in Path(folder).iterdir()] == [".msg"]
    assert chan._get("jobs") == {"body": "hello"}


def test_a_message_still_being_written_is_not_taken(channel):
    chan, folder = channel
    (folder / "1_abc.jobs.msg.partial").write_bytes(b"")  # a writer half-way through

    with pytest.raises(Empty):
        chan._get("jobs")
    assert (folder / "1_abc.jobs.msg.partial").exists()


def test_the_embedded_broker_url_selects_the_atomic_transport():
    from kombu.transport import resolve_transport

    from helpdesk.celery import app  # noqa: F401 - importing the app registers the scheme

    assert resolve_transport(broker.SCHEME) is broker.Transport
