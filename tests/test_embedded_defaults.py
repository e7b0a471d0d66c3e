"""The embedded defaults (README, `make run`): from an empty var/ and with no server configured,
`migrate` and `seed_demo` build a SQLite database there, and a second seed changes nothing."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.embedded_stack import embedded_env, manage


def row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_migrate_and_seed_from_an_empty_var_dir_use_sqlite_and_seed_once(tmp_path):
    var_dir = tmp_path / "var"
    manage(var_dir, "migrate", "--no-input")
    database = var_dir / "oncall.sqlite3"
    assert database.is_file()
    assert (var_dir / "secret_key").is_file()

    first = manage(var_dir, "seed_demo")
    after_first = row_counts(database)
    second = manage(var_dir, "seed_demo")

    assert first.count("Superuser 'admin' password:") == 1
    assert after_first["teams_team"] == 6
    assert after_first["schedules_oncallrecord"] > 6 * 28
    assert "password:" not in second
    assert "nothing to create" in second
    assert row_counts(database) == after_first


def test_the_token_cache_without_a_shared_cache_is_refused_at_start(tmp_path):
    env = embedded_env(tmp_path / "var", API_TOKEN_CACHE="true", CACHE_URL="")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "API_TOKEN_CACHE=true needs CACHE_URL" in done.stderr
