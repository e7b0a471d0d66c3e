"""Settings come from the environment: a value that cannot be one is refused at start-up,
naming the variable, never read as something else."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(**env: str) -> subprocess.CompletedProcess:
    """Load the settings in a process of its own, with `env` on top of this one's."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "oncall_project.settings", **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ONCALL_CACHE_TEAMS", "lots", "ONCALL_CACHE_TEAMS must be a whole number of at least 0"),
        ("ONCALL_CACHE_TEAMS", "-1", "ONCALL_CACHE_TEAMS must be a whole number of at least 0"),
        ("ONCALL_CACHE_TEAMS", "2.5", "ONCALL_CACHE_TEAMS must be a whole number"),
        (
            "NOTIFICATION_MAX_ATTEMPTS",
            "0",
            "NOTIFICATION_MAX_ATTEMPTS must be a whole number of at least 1",
        ),
        ("SLACK_TIMEOUT_SECONDS", "nan", "SLACK_TIMEOUT_SECONDS must be a number of at least 0.1"),
        ("SLACK_TIMEOUT_SECONDS", "inf", "SLACK_TIMEOUT_SECONDS must be a number"),
        ("API_HOT_PATH", "ture", "API_HOT_PATH must be true or false"),
    ],
)
def test_a_setting_that_cannot_be_read_stops_the_start_naming_it(name, value, says):
    started = start(**{name: value})
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and says in started.stderr
    assert f"{value!r}" in started.stderr


def test_numbers_and_switches_in_their_usual_spellings_start(tmp_path):
    started = start(
        ONCALL_CACHE_TEAMS=" 0 ",
        SLACK_TIMEOUT_SECONDS="2.5",
        WATCHDOG_INTERVAL_SECONDS="0.5",
        API_HOT_PATH="OFF",
        DEBUG="",
    )
    assert started.returncode == 0, started.stderr
