"""`make test` beside `make run` in the same checkout: a test session keeps a var dir of its own
(tests/isolation.py), so a demo worker on the embedded defaults takes none of its tasks, even
where the environment points at the demo's var dir."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.embedded_stack import embedded_env

WORKER_TESTS = "tests/schedules/test_handoff_worker.py"  # tasks fanned out on the default queue
DEMO_WORKER = ["-m", "celery", "-A", "oncall_project", "worker", "--pool=solo", "--loglevel=INFO"]


def test_the_session_keeps_its_embedded_files_out_of_the_checkouts_var():
    checkout_var = settings.BASE_DIR / "var"
    assert not settings.VAR_DIR.is_relative_to(checkout_var)
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        assert folder.is_relative_to(settings.VAR_DIR)


def start_demo_worker(var_dir: Path, log: Path) -> subprocess.Popen:
    """The worker `make run` starts, on the embedded defaults in `var_dir`, once it consumes."""
    worker = subprocess.Popen(
        [sys.executable, *DEMO_WORKER],
        cwd=settings.BASE_DIR,
        env=embedded_env(var_dir),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text():
        assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    return worker


@pytest.mark.celery_worker
def test_worker_tests_pass_beside_a_demo_worker_that_receives_none_of_their_tasks(tmp_path):
    demo_var, demo_log = tmp_path / "demo-var", tmp_path / "demo-worker.log"
    demo = start_demo_worker(demo_var, demo_log)
    try:
        # A second test session on the embedded defaults, told the demo's var dir.
        session = subprocess.run(
            [sys.executable, "-m", "pytest", WORKER_TESTS, "-q", "-p", "no:cacheprovider"],
            cwd=settings.BASE_DIR,
            env=embedded_env(demo_var),
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    assert session.returncode == 0, session.stdout[-3000:]
    assert "received" not in demo_log.read_text()
