"""Tests and benchmarks run on embedded files of their own: a fresh var dir for the SQLite test
database, the filesystem broker's folders and beat's schedule, never `make run`'s var/. A demo
running beside them in the same checkout would otherwise take their tasks from the shared
broker folder and run them against its own database (and they its tasks).

Loaded as a pytest plugin (`-p tests.isolation` in pyproject.toml) so that it acts before
pytest-django loads the settings; benchmarks call `use_own_var_dir()` before `django.setup()`.
Worker processes started from here inherit ONCALL_VAR_DIR and with it the same folders."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest


def use_own_var_dir() -> Path:
    """Point the settings, and every process started from here on, at a new var dir; it is
    removed when this process exits."""
    if "oncall_project.settings" in sys.modules:
        raise RuntimeError("use_own_var_dir() must run before the settings are loaded")
    var_dir = Path(tempfile.mkdtemp(prefix="oncall-run-"))
    os.environ["ONCALL_VAR_DIR"] = str(var_dir)
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    return var_dir


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # A wrapper runs before every plain implementation, pytest-django's (which loads the
    # settings) among them.
    use_own_var_dir()
    return (yield)
