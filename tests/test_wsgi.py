import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_web_process_keeps_what_it_loaded_out_of_the_collectors_sight():
    """gunicorn's workers load oncall_project.wsgi: Django and the project, frozen there, are
    not walked by every full collection (44 ms on the bench machine, the lookups' p99)."""
    frozen = subprocess.run(
        [sys.executable, "-c", "import gc, oncall_project.wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "oncall_project.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(frozen.stdout) > 50_000
