"""kombu's filesystem transport with atomic writes: the embedded broker of `make run` and local tests.

kombu 5.7's filesystem channel creates the message file and then writes it; a consumer polling the
folder can move and read the file in between, get an empty payload and crash the worker with a
JSONDecodeError (seen with beat publishing every 2 s). Here a message is written under a name no
consumer matches and renamed into place (`os.replace`, atomic within one folder), so a consumer
sees whole messages or none. Selected in settings by the broker URL `ddfilesystem://`.

Its worker also waits at most half a second per poll (see Transport), so that it stops promptly.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

SCHEME = "ddfilesystem"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".partial"  # consumers only take names ending in ".<queue>.msg"
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
    # A folder has no host: without this kombu warns "No hostname was supplied" on every connection.
    default_connection_params = {}
    # Celery's worker loop (synloop: this transport has no event loop) waits up to 2 s for a message, and
    # checks for a stop request only between waits, twice, so a stopped worker took about 5 s to exit:
    # the time honcho allows before SIGKILL. A shorter wait lets `make run` stop cleanly on Ctrl-C.
    max_wait_seconds = 0.5

    def drain_events(self, connection, timeout=None):
        if timeout is None or timeout > self.max_wait_seconds:
            timeout = self.max_wait_seconds
        return super().drain_events(connection, timeout=timeout)


def register() -> None:
    TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
