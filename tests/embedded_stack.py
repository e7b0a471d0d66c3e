"""The embedded stack as `make run` starts it (scripts/run-all.sh: web, Celery worker and beat on
SQLite and the filesystem broker), on a var dir of its own, as real processes."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings

# The server settings a test run may carry; the embedded stack runs without them.
SERVER_SETTINGS = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY")


def embedded_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_SETTINGS}
    return {**env, "ONCALL_VAR_DIR": str(var_dir), **extra}


def manage(var_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=embedded_env(var_dir),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def staff_token(var_dir: Path, name: str = "loadtest") -> str:
    """A staff API token, made the way the README says (its last line is the token)."""
    return manage(var_dir, "create_api_token", name, "--staff").split()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def embedded_stack(var_dir: Path, **extra_env: str) -> Iterator[str]:
    """Yield the base URL of `scripts/run-all.sh` serving `var_dir`; stop all three processes
    afterwards. Their output is kept in var_dir/run-all.log."""
    port = free_port()
    log = (var_dir / "run-all.log").open("wb")
    proc = subprocess.Popen(
        ["./scripts/run-all.sh"],
        cwd=settings.BASE_DIR,
        env=embedded_env(var_dir, PORT=str(port), **extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc)
        yield base
    finally:
        _stop(proc)
        log.close()


def log_tail(var_dir: Path, lines: int = 40) -> str:
    return "\n".join((var_dir / "run-all.log").read_text(errors="replace").splitlines()[-lines:])


def wait_until_serving(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} exited with {proc.returncode}")
        try:
            if requests.get(f"{base}/accounts/login/", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"The embedded stack did not serve {base} within {timeout}s")


def _stop(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Ctrl-C, as a person stops `make run`: SIGINT to run-all.sh's process group (web, worker,
    beat and the worker's children); then wait until every one of them has gone, so nothing
    still holds the database afterwards."""
    _signal_group(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while _signal_group(proc.pid, 0) and time.monotonic() < deadline:
        proc.poll()  # reap the leader, or the group never looks empty
        time.sleep(0.1)
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(group: int, signum: int) -> bool:
    """Send `signum` to the group; False once no process of it is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True
