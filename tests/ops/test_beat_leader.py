"""Several beats, one dispatching: the lease, and real beat processes taking over."""

import datetime
import os
import signal
import time

import pytest
from django.utils import timezone

from oncall_project.celery import app as celery_app
from oncall_project.ops.beat import LEASE
from oncall_project.telemetry.leases import lease_acquire, lease_holder, lease_release
from tests.celery_worker import wait_for
from tests.ops.processes import Processes

SENT = "Sending due task handoff-tick"


@pytest.mark.django_db
def test_a_lease_has_one_holder_until_it_runs_out():
    now = timezone.now()
    assert lease_acquire(name="job", holder="a", seconds=30, now=now)
    assert not lease_acquire(name="job", holder="b", seconds=30, now=now)
    assert lease_acquire(name="job", holder="a", seconds=30, now=now)  # renewed
    later = now + datetime.timedelta(seconds=31)
    assert lease_holder("job", now=later) is None
    assert lease_acquire(name="job", holder="b", seconds=30, now=later)  # a stopped renewing
    assert not lease_acquire(name="job", holder="a", seconds=30, now=later)
    lease_release(name="job", holder="a")  # not a's to release
    assert lease_holder("job", now=later) == "b"
    lease_release(name="job", holder="b")
    assert lease_acquire(name="job", holder="a", seconds=30, now=later)


def sends(processes: Processes, name: str) -> int:
    return processes.log(name).count(SENT)


def leader_and_standby(processes: Processes) -> tuple:
    """beat-a dispatching, then beat-b started and standing by."""
    first = processes.beat("beat-a")
    wait_for(lambda: sends(processes, "beat-a") >= 1)
    second = processes.beat("beat-b")
    wait_for(lambda: "stands by" in processes.log("beat-b"))
    return first, second


@pytest.mark.django_db(transaction=True)
def test_of_two_beats_one_dispatches_and_the_other_takes_over_when_it_is_killed(tmp_path):
    lease = 3.0
    with Processes(tmp_path, BEAT_LEASE_SECONDS=str(lease)) as processes:
        first, second = leader_and_standby(processes)
        time.sleep(3)  # both running: the first sends, the second does not
        assert sends(processes, "beat-a") >= 3
        assert sends(processes, "beat-b") == 0
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        killed = time.monotonic()
        wait_for(lambda: sends(processes, "beat-b") >= 1, timeout=30)
        takeover = time.monotonic() - killed
        assert "dispatches periodic tasks" in processes.log("beat-b")
        assert lease_holder(LEASE).split(":")[1] == str(second.pid)
    celery_app.control.purge()
    # within the lease and one standby poll (a third of it), plus process scheduling slack
    assert takeover < lease + lease / 3 + 3, takeover


@pytest.mark.django_db(transaction=True)
def test_a_dispatching_beat_keeps_its_lease_while_waiting_for_a_job_further_off(tmp_path):
    """The next job is 8 s away, the lease 2 s: the holder renews it while it waits, so the
    standby never takes over from a beat that is alive."""
    env = {"BEAT_LEASE_SECONDS": "2", "DJANGO_SETTINGS_MODULE": "tests.ops.slow_beat_settings"}
    with Processes(tmp_path, **env) as processes:
        first, _ = leader_and_standby(processes)
        time.sleep(7)  # three leases and more before the next job is due
        assert "dispatches periodic tasks" not in processes.log("beat-b")
        assert lease_holder(LEASE).split(":")[1] == str(first.pid)
    celery_app.control.purge()


@pytest.mark.django_db(transaction=True)
def test_a_beat_stopped_cleanly_hands_over_before_its_lease_would_run_out(tmp_path):
    lease = 12.0
    with Processes(tmp_path, BEAT_LEASE_SECONDS=str(lease)) as processes:
        first, _ = leader_and_standby(processes)
        first.terminate()
        first.wait(timeout=15)
        stopped = time.monotonic()
        wait_for(lambda: sends(processes, "beat-b") >= 1, timeout=30)
        takeover = time.monotonic() - stopped
    celery_app.control.purge()
    # released on the way out: the standby's next poll (every 4 s) takes it
    assert takeover < lease - 2, takeover


@pytest.mark.django_db(transaction=True)
def test_a_lease_can_be_let_go_over_a_connection_of_its_own():
    """What a stopping beat does: its usual connection may be stuck in an interrupted query."""
    assert lease_acquire(name="job", holder="a", seconds=30)
    lease_release(name="job", holder="b", own_connection=True)  # not b's to release
    assert lease_holder("job") == "a"
    lease_release(name="job", holder="a", own_connection=True)
    assert lease_holder("job") is None
