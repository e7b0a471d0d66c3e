"""What a process writes to its console: each line once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A page nobody has, asked in a process of its own with DEBUG on (as `make run` runs)
ASK_FOR_A_MISSING_PAGE = """
import django
django.setup()
from django.test import Client
print(Client(SERVER_NAME="localhost").get("/no-such-page/").status_code)
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_a_missing_page_is_logged_once(debug):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oncall_project.settings", "DEBUG": debug}
    env["ALLOWED_HOSTS"] = "localhost"
    done = subprocess.run(
        [sys.executable, "-c", ASK_FOR_A_MISSING_PAGE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.stdout.strip() == "404", done.stderr
    assert done.stderr.count("Not Found: /no-such-page/") == 1, done.stderr
    assert done.stderr.count("GET /no-such-page/ 404") == 1, done.stderr
