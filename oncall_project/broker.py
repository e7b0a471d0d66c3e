"""Celery's filesystem broker (the embedded default), safe with several producers at once.

kombu's transport creates a message file and only then writes it, and rewrites an exchange's
binding table in place: a consumer listing the folder in between reads an empty or partial
file, and the message is lost or the declaring process fails (celery/kombu#1551). `make run`
has exactly that: web threads, beat and the worker publish while the worker consumes. Here
every file is written whole under a name no reader picks, then renamed into place, which is
atomic; binding tables change under a lock file of their own."""

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import monotonic

from kombu.transport import filesystem, virtual
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


def _write_whole(path: Path, text: str) -> None:
    # A ".tmp" name never matches a reader's "<queue>.msg" or "<exchange>.exchange".
    partial = path.with_name(f"{uuid.uuid4().hex}.tmp")
    with partial.open("wb") as file:
        file.write(str_to_bytes(text))
    os.replace(partial, path)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The name kombu gives: readers take messages in the order of the leading milliseconds.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        _write_whole(Path(self.data_folder_out) / name, dumps(payload))

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._bindings_locked(exchange):
            table = self.get_table(exchange)
            if binding not in table:
                self._write_table(exchange, [binding, *table])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        # The virtual channel's purge, without kombu's in-place rewrite of the table.
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._bindings_locked(exchange):
            table = self.get_table(exchange)
            if binding in table:
                self._write_table(exchange, [b for b in table if b != binding])

    def _write_table(self, exchange, table: list) -> None:
        _write_whole(self._exchange_file(exchange), dumps(table))

    @contextmanager
    def _bindings_locked(self, exchange) -> Iterator[None]:
        self.control_folder.mkdir(parents=True, exist_ok=True)
        lock_path = self._exchange_file(exchange).with_suffix(".lock")
        with lock_path.open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


class Transport(filesystem.Transport):
    Channel = Channel
