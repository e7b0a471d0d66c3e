"""Real processes of the production topology, started against the test database and broker:
celery beats, celery workers and gunicorn nodes. Each writes its log to a file of its own."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings

from tests.celery_worker import _database_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Processes(ExitStack):
    """Started processes, all stopped (TERM, then KILL) when the block ends."""

    def __init__(self, folder: Path, **env: str):
        super().__init__()
        self.folder = folder
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "SLACK_BOT_TOKEN": settings.SLACK_BOT_TOKEN,
            "SLACK_API_URL": settings.SLACK_API_URL,
            "DJANGO_SETTINGS_MODULE": "tests.ops.fast_beat_settings",
            **env,
        }

    def start(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - closed with the stack
        self.callback(log.close)
        proc = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        self.callback(stop, proc)
        return proc

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def beat(self, name: str, **env: str) -> subprocess.Popen:
        schedule = str(self.folder / f"{name}-schedule")
        command = [str(BIN / "celery"), "-A", "oncall_project", "beat", "--loglevel=INFO"]
        return self.start(name, [*command, "--schedule", schedule], **env)

    def worker(self, name: str, **env: str) -> subprocess.Popen:
        command = [str(BIN / "celery"), "-A", "oncall_project", "worker", "--loglevel=INFO"]
        command += ["--concurrency=1", "--hostname", f"{name}@%h", "--without-mingle"]
        return self.start(name, [*command, "--without-gossip"], **env)

    def web(self, name: str, port: int, **env: str) -> subprocess.Popen:
        command = [str(BIN / "gunicorn"), "oncall_project.wsgi", "--workers", "1"]
        # no control socket: its default path is one per user, shared by every node
        command += ["--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "--no-control-socket"]
        return self.start(name, command, **env)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """Status and body, errors included (a 503 is an answer)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {timeout}s")
