"""A local fake of Slack's Web API over real HTTP. It records every request and answers from a
script of canned responses, so tests exercise slack-sdk and our retry logic for real.

Faults, each switchable from any thread while requests are in flight:
- `script(status, body, headers)`: the next answer, e.g. a 429 with Retry-After or a 500;
- `begin_outage()` … `end_outage()`: 500 to every request in between;
- `hang(*methods, seconds=…)` … `release()`: those requests get no answer until released or
  `seconds` pass, then the connection is dropped. A hung request is never processed: it posts
  nothing, as if it had not reached Slack.

Posted messages are kept as Slack shows them (`messages`, by (channel, ts)): chat.update edits
one and refuses a ts never posted, as Slack does (`message_not_found`).

To try the product by hand: `python -m tests.fake_slack --port 8999` answers like Slack and
prints every request it receives (see `main`)."""

import argparse
import datetime
import json
import sys
import threading
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    method: str
    body: dict
    headers: dict
    status: int | None = None  # None while hung, and for a request dropped unanswered
    ok: bool = False


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    scripted: deque = field(default_factory=deque)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    profiles: dict[str, dict] = field(default_factory=dict)
    # Slack's users (users.info), by id; see add_user. Anyone else is answered from `profiles`
    # as a user Slack knows, unless `only_listed_users`: then `user_not_found`, as Slack does.
    users: dict[str, dict] = field(default_factory=dict)
    only_listed_users: bool = False
    ts_counter: int = 0
    in_outage: bool = False
    hung_methods: frozenset | None = None  # None: nothing hangs; empty: every method hangs
    hang_seconds: float = 60.0
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: dict[tuple[str, str], dict] = field(default_factory=dict)
    # None: a user group never set reads as empty; else the error Slack gives for it
    unknown_usergroup_error: str | None = None
    on_answer: Callable[["Call", dict], None] | None = None  # told of each answered request
    cut_short: int = 0  # the next this many answers stop halfway, the connection then closed

    def script(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        """Queue a response for the next call (before the default answers)."""
        self.scripted.append((status, body or {"ok": False, "error": "scripted"}, headers or {}))

    def add_user(
        self,
        user_id: str,
        display_name: str,
        *,
        real_name: str = "",
        tz: str = "",
        deleted: bool = False,
    ) -> None:
        """A user Slack knows (deleted: deactivated), answered by users.info."""
        profile = {"display_name": display_name, "real_name": real_name}
        self.users[user_id] = {
            "id": user_id,
            "name": user_id.lower(),
            "deleted": deleted,
            "real_name": real_name,
            "tz": tz,
            "profile": profile,
        }

    def cut_next_answer_short(self) -> None:
        """The next answer is cut short: its headers promise the whole body, half is sent,
        then the connection closes (a proxy or Slack dropping it midway)."""
        with self.lock:
            self.cut_short += 1

    def take_cut_short(self) -> bool:
        with self.lock:
            if not self.cut_short:
                return False
            self.cut_short -= 1
            return True

    def begin_outage(self) -> None:
        self.in_outage = True

    def end_outage(self) -> None:
        self.in_outage = False

    def hang(self, *methods: str, seconds: float = 60.0) -> None:
        """Hang these methods (all when none given) for up to `seconds` each."""
        with self.lock:
            if self.released.is_set():  # a new hang after a release; hung requests keep theirs
                self.released = threading.Event()
            self.hang_seconds = seconds
            self.hung_methods = frozenset(methods)

    def release(self) -> None:
        """Answer normally again; requests hung until now are dropped unanswered."""
        with self.lock:
            self.hung_methods = None
            self.released.set()

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self) -> list[Call]:
        """The messages Slack really posted: chat.postMessage calls answered with ok."""
        return [c for c in self.calls_to("chat.postMessage") if c.ok]

    def record(self, method: str, body: dict, headers: dict) -> Call:
        call = Call(method, body, headers)
        with self.lock:
            self.calls.append(call)
        return call

    def wait_if_hung(self, method: str) -> bool:
        """Block while `method` hangs; True if this request must be dropped unanswered."""
        with self.lock:
            hung = self.hung_methods
            released, seconds = self.released, self.hang_seconds
        if hung is None or (hung and method not in hung):
            return False
        released.wait(seconds)
        return True

    def answer(self, method: str, body: dict) -> tuple[int, dict, dict]:
        if self.in_outage:
            return 500, {"ok": False, "error": "fatal_error"}, {}
        with self.lock:
            if self.scripted:
                return self.scripted.popleft()
            return self._default_answer(method, body)

    def _default_answer(self, method: str, body: dict) -> tuple[int, dict, dict]:
        if method == "chat.postMessage":
            self.ts_counter += 1
            ts = f"1700.{self.ts_counter:06d}"
            self.messages[(body.get("channel"), ts)] = dict(body)
            return 200, {"ok": True, "channel": body.get("channel"), "ts": ts}, {}
        if method == "chat.update":
            key = (body.get("channel"), body.get("ts"))
            if key not in self.messages:
                return 200, {"ok": False, "error": "message_not_found"}, {}
            self.messages[key] = {**self.messages[key], **body}
            reply = {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
            return 200, {**reply, "text": body.get("text", "")}, {}
        if method == "conversations.open":
            first = str(body.get("users", "")).split(",")[0]
            return 200, {"ok": True, "channel": {"id": "D" + first.removeprefix("U")}}, {}
        if method == "usergroups.users.list":
            group = body.get("usergroup")
            if group not in self.usergroups and self.unknown_usergroup_error:
                return 200, {"ok": False, "error": self.unknown_usergroup_error}, {}
            return 200, {"ok": True, "users": self.usergroups.get(group, [])}, {}
        if method == "usergroups.users.update":
            self.usergroups[body["usergroup"]] = [u for u in body["users"].split(",") if u]
            return 200, {"ok": True}, {}
        if method == "users.info":
            user = body.get("user")
            if user in self.users:
                return 200, {"ok": True, "user": self.users[user]}, {}
            if self.only_listed_users:
                return 200, {"ok": False, "error": "user_not_found"}, {}
            profile = self.profiles.get(user, {"display_name": user})
            return 200, {"ok": True, "user": {"id": user, "name": user, "profile": profile}}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}


def _handler(fake: FakeSlack):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                body = json.loads(raw or "{}")
            else:
                body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
            method = self.path.rstrip("/").rsplit("/", 1)[-1]
            call = fake.record(method, body, dict(self.headers))
            if fake.wait_if_hung(method):
                self.close_connection = True
                return
            status, payload, headers = fake.answer(method, body)
            call.status, call.ok = status, status == 200 and payload.get("ok") is True
            if fake.on_answer is not None:
                fake.on_answer(call, payload)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if fake.take_cut_short():
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                return
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


class FakeSlackServer:
    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.fake = FakeSlack()
        self.server = ThreadingHTTPServer((host, port), _handler(self.fake))
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def __enter__(self) -> FakeSlack:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc) -> None:
        self.fake.release()
        self.server.shutdown()
        self.server.server_close()


def describe(call: Call, payload: dict) -> str:
    """One request as `main` prints it: what was asked, what the fake answered."""
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    outcome = "ok" if call.ok else f"error {payload.get('error', call.status)}"
    ts = f" ts={payload['ts']}" if payload.get("ts") else ""
    lines = [f"{stamp} {call.method} -> {call.status} {outcome}{ts}"]
    for name, value in call.body.items():
        if name == "blocks":
            value = json.dumps(value, ensure_ascii=False)
        lines.append(f"    {name}: {value}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Serve the fake on a fixed port until Ctrl-C, printing every request it receives."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_slack",
        description="A local fake of Slack's Web API that prints every request it receives.",
    )
    parser.add_argument("--port", type=int, default=8999)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--usergroup",
        action="append",
        default=[],
        metavar="S_GROUP=U_A,U_B",
        help="members of a Slack user group; a group not given is unknown, as in Slack "
        "(no_such_subteam), so a member sync changes nothing",
    )
    args = parser.parse_args(argv)
    server = FakeSlackServer(port=args.port, host=args.host)
    server.fake.unknown_usergroup_error = "no_such_subteam"
    for entry in args.usergroup:
        group, _, users = entry.partition("=")
        server.fake.usergroups[group] = [u for u in users.split(",") if u]
    server.fake.on_answer = lambda call, payload: print(describe(call, payload), flush=True)
    print(f"Fake Slack on {server.url} (SLACK_API_URL={server.url}); Ctrl-C stops.", flush=True)
    try:
        server.server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
    finally:
        server.server.server_close()


if __name__ == "__main__":
    main()
