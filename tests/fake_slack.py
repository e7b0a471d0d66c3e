"""A local fake of Slack's Web API over real HTTP. It records every request and answers from a
script of canned responses, so tests exercise slack-sdk and our retry logic for real."""

import json
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    method: str
    body: dict
    headers: dict


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    scripted: deque = field(default_factory=deque)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    ts_counter: int = 0

    def script(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        """Queue a response for the next call (before the default answers)."""
        self.scripted.append((status, body or {"ok": False, "error": "scripted"}, headers or {}))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def answer(self, method: str, body: dict) -> tuple[int, dict, dict]:
        if self.scripted:
            return self.scripted.popleft()
        if method == "chat.postMessage":
            self.ts_counter += 1
            return (
                200,
                {"ok": True, "channel": body.get("channel"), "ts": f"1700.{self.ts_counter:06d}"},
                {},
            )
        if method == "usergroups.users.list":
            return 200, {"ok": True, "users": self.usergroups.get(body.get("usergroup"), [])}, {}
        if method == "usergroups.users.update":
            self.usergroups[body["usergroup"]] = [u for u in body["users"].split(",") if u]
            return 200, {"ok": True}, {}
        if method == "users.info":
            user = body.get("user")
            return 200, {"ok": True, "user": {"id": user, "profile": {"display_name": user}}}, {}
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
            fake.calls.append(Call(method, body, dict(self.headers)))
            status, payload, headers = fake.answer(method, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


class FakeSlackServer:
    def __init__(self):
        self.fake = FakeSlack()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def __enter__(self) -> FakeSlack:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
