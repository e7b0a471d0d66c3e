"""The embedded broker (Celery's filesystem transport, `oncall_project.broker`) under concurrent
producers, as `make run` has them: web threads and beat publish while the worker consumes. Every
message must arrive whole: kombu's own transport lets a consumer read a message file that its
producer has created but not yet written, and the message is lost (celery/kombu#1551)."""

import multiprocessing
import time

from kombu import Connection, Exchange, Queue

TRANSPORT = "oncall_project.broker:Transport"
PRODUCERS = 6
MESSAGES = 15
PADDING = "x" * 256_000  # large enough that a write is not one instant


def options(folder) -> dict:
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def produce(folder, producer: int, start) -> None:
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options(folder)) as c:
        queue = c.SimpleQueue("work")
        start.wait()
        for n in range(MESSAGES):
            queue.put({"producer": producer, "n": n, "padding": PADDING})
        queue.close()


def consume(folder, producers: list, timeout: float = 60.0) -> tuple[set, list[str]]:
    """What arrives until the producers have finished and the queue stays empty for a second."""
    received, failures = set(), []
    deadline = time.monotonic() + timeout
    idle_since = time.monotonic()
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options(folder)) as c:
        queue = c.SimpleQueue("work")
        while time.monotonic() < deadline:
            try:
                message = queue.get(timeout=0.01)
            except queue.Empty:
                if any(p.is_alive() for p in producers):
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > 1:
                    break
                continue
            except ValueError as exc:  # a message read before it was written
                failures.append(repr(exc))
                continue
            message.ack()
            received.add((message.payload["producer"], message.payload["n"]))
        queue.close()
    return received, failures


def test_messages_from_concurrent_producers_all_arrive_whole(tmp_path):
    for sub in ("queue", "control"):
        (tmp_path / sub).mkdir()
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    producers = [spawn.Process(target=produce, args=(tmp_path, p, start)) for p in range(PRODUCERS)]
    for process in producers:
        process.start()
    start.set()
    received, failures = consume(tmp_path, producers)
    for process in producers:
        process.join(timeout=30)
    assert [p.exitcode for p in producers] == [0] * PRODUCERS
    assert failures == []
    assert received == {(p, n) for p in range(PRODUCERS) for n in range(MESSAGES)}


EXCHANGES = [Exchange(f"x{n}", type="direct") for n in range(80)]


def declare(folder, queue: str, start) -> None:
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options(folder)) as c:
        start.wait()
        for exchange in EXCHANGES:
            Queue(queue, exchange, routing_key=queue)(c.default_channel).declare()


def test_queues_declared_at_once_are_all_bound(tmp_path):
    # web, worker and beat start together, each declaring its queues on first use
    for sub in ("queue", "control"):
        (tmp_path / sub).mkdir()
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    queues = [f"q{n}" for n in range(8)]
    declarers = [spawn.Process(target=declare, args=(tmp_path, q, start)) for q in queues]
    for process in declarers:
        process.start()
    start.set()
    for process in declarers:
        process.join(timeout=30)
    assert [p.exitcode for p in declarers] == [0] * len(declarers)
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options(tmp_path)) as c:
        tables = {x.name: c.default_channel.get_table(x.name) for x in EXCHANGES}
    assert {name: sorted(b.queue for b in table) for name, table in tables.items()} == {
        x.name: queues for x in EXCHANGES
    }


def test_a_deleted_queue_leaves_the_other_bindings_of_its_exchange(tmp_path):
    for sub in ("queue", "control"):
        (tmp_path / sub).mkdir()
    exchange = Exchange("shared", type="direct")
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options(tmp_path)) as c:
        channel = c.default_channel
        kept, gone = (Queue(name, exchange, routing_key=name)(channel) for name in ("kept", "gone"))
        kept.declare()
        gone.declare()
        gone.delete()
        assert [binding.queue for binding in channel.get_table("shared")] == ["kept"]
