"""Load benchmark of the bot's lookups over HTTP, on PostgreSQL, beside the machine's ceiling.

Builds a throw-away database (1,000 teams, 10,000 services, 20,000 members, 50,000 schedules,
5,000 overrides; `--scale N`: N times each), serves it with gunicorn (2 sync workers) and drives
it with wrk (2 threads, 16 connections). Measured in the same run, on the same data, one after
the other:
- the ceiling: a bare WSGI app (bench/api_bare.py: psycopg, the same token check as our API,
  one indexed query) served by the same gunicorn with the same workers;
- our trivial authenticated endpoint, `/api/v1/me/`;
- the bot's lookups: `/oncall/?service=`, `/oncall/mentions/` of 5 services,
  `/services/lookup/?format=text`, each cycling through 500 services (300 lists of 5).
`--cold` adds the lookups on a server whose per-process answer caches keep only the last
load's teams (ONCALL_CACHE_TEAMS=0): every lookup then does what the first one of the day for
a team does in a process, with the day's answers the handoffs shared (bench/api_share.py
forgets every shared answer and shares today's, as the handoffs do, before each run's cold
figures); and, for
reference (no target), with nothing shared (ONCALL_SHARED_ANSWERS off: every lookup loads the
team's state and works its answer out, as after a change to the team). The token check stays
warm, as a bot's does.
`--scale N` builds the data N times over as well and measures the warm figures on both.
Each figure is printed beside its target (issue 17), marked met or MISSED; the last line is
`bench-api: all targets met` or `bench-api: N short`.

Run: make bench-api   (DATABASE_URL must name a PostgreSQL server; wrk must be installed)
     .venv/bin/python bench/api_load.py --runs 3 --cold --scale 10
"""

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.api_targets import BARE, ME, Results, report  # noqa: E402
from bench.api_wrk import CONNECTIONS, visit_all, wrk  # noqa: E402
from tests.isolation import use_own_var_dir  # noqa: E402

WORKERS = 2
ME_PATH = "/api/v1/me/"
SERVICE, MENTIONS, LOOKUP = (
    "/oncall/?service=",
    "/oncall/mentions/ (5 services)",
    "/services/lookup/?format=text",
)
UNSHARED = "unshared cold"  # for reference: no target


def bench_database_url(name: str = "api_bench", script: str = "bench/api_load.py") -> str:
    """A database on DATABASE_URL's PostgreSQL server named after DATABASE_URL's with `name`
    added: checkouts that share a server (each with its own DATABASE_URL) never drop each
    other's."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oncall")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{script} measures the production stack: DATABASE_URL=postgres://…")
    server, own = url.split("?", 1)[0].rsplit("/", 1)
    return f"{server}/{own}_{name}"


def recreate_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def drop_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(url: str) -> dict:
    """The production settings: PostgreSQL kept open, the throttle on (its cost is part of every
    request) far above the load, and the cache that every worker shares (CACHE_URL, else the
    Redis of CELERY_BROKER_URL) as README's production setup has it."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "DB_CONN_MAX_AGE": "600"}
    env |= {"API_TOKEN_RATE": "100000000/minute", "SECRET_KEY": "bench-only"}
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not env.get("CACHE_URL") and broker.startswith("redis://"):
        env["CACHE_URL"] = broker
    return env


@contextmanager
def gunicorn(app: str, env: dict, token: str, probe: str):
    """gunicorn serving `app` with WORKERS workers on a free port, until the block ends. Its
    output (the request log among it, as production writes it) goes to a file in the var dir."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), app, "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    log = Path(os.environ["ONCALL_VAR_DIR"]) / f"gunicorn-{port}.log"
    with log.open("ab") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        _wait_until_up(port, token, probe)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int, token: str, probe: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{probe}", headers={"Authorization": f"Token {token}"}
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer {probe}")


def build_data(url: str, scale: int, keep: bool) -> tuple[str, list[str]]:
    """Fill `url` in a process of its own (Django is set up once per process); with `keep`, a
    database kept by an earlier run with the same data is used as it is."""
    kept = keep and database_exists(url)
    if not kept:
        recreate_database(url)
    started = time.perf_counter()
    command = [sys.executable, str(ROOT / "bench" / "api_data.py"), str(scale), "--reuse"]
    env = {**os.environ, "DATABASE_URL": url}
    built = subprocess.run(command, env=env, capture_output=True, text=True)
    if built.returncode and kept:  # kept from older code (migrations since): built afresh
        recreate_database(url)
        built = subprocess.run(command, env=env, capture_output=True, text=True)
    if built.returncode:
        sys.exit(f"bench/api_data.py failed:\n{built.stderr}")
    data = json.loads(built.stdout)
    took = time.perf_counter() - started
    print(f"data ×{scale}: {len(data['names']):,} services built in {took:.0f} s", flush=True)
    return data["token"], data["names"]


def paths(names: list[str]) -> dict[str, list[str]]:
    rng = random.Random(11)
    picks = rng.sample(names, 500)
    return {
        BARE: [f"/?service={name}" for name in picks],
        ME: [ME_PATH],
        SERVICE: [f"/api/v1/oncall/?service={name}" for name in picks],
        MENTIONS: [
            "/api/v1/oncall/mentions/?services=" + ",".join(rng.sample(names, 5))
            for _ in range(300)
        ],
        LOOKUP: [f"/api/v1/services/lookup/?name={name}&format=text" for name in picks],
    }


def share_day_answers(url: str) -> None:
    """What the day's handoffs share (bench/api_share.py), afresh."""
    env = server_env(url)
    script = [sys.executable, str(ROOT / "bench" / "api_share.py")]
    out = subprocess.run(script, env=env, capture_output=True, text=True, check=True).stdout
    print(f"  {out.strip()}", flush=True)


def measure(
    ports: dict[str, int], token: str, cases: dict, seconds: int, first: bool, url: str
) -> dict:
    """One run: each case warmed up (the first run visits every path of each case on every
    worker first), then measured for `seconds`, one after the other; the day's answers are
    shared afresh before the cold cases."""
    figures = {}
    shared = False
    for label, (server, case) in cases.items():
        if server == "cold" and not shared:
            share_day_answers(url)
            shared = True
        if first and server == "warm":
            visit_all(ports[server], token, case)
        wrk(ports[server], token, case, 2)
        figures[label] = wrk(ports[server], token, case, seconds)
    return figures


def bench_data_set(url: str, scale: int, args, results: Results) -> None:
    """Build the data at `scale`, serve it, and add `args.runs` runs of figures to `results`."""
    token, names = build_data(url, scale, args.keep)
    env = server_env(url)
    case_paths = paths(names)
    servers = {"bare": ("bench.api_bare:app", env), "warm": ("oncall_project.wsgi", env)}
    cases = {BARE: ("bare", case_paths[BARE])}
    cases |= {label: ("warm", case_paths[label]) for label in (ME, SERVICE, MENTIONS, LOOKUP)}
    if args.cold and scale == 1:
        cold = {**env, "ONCALL_CACHE_TEAMS": "0"}
        servers["cold"] = ("oncall_project.wsgi", cold)
        servers["unshared"] = ("oncall_project.wsgi", {**cold, "ONCALL_SHARED_ANSWERS": "false"})
        cases |= {f"cold {k}": ("cold", case_paths[k]) for k in (SERVICE, MENTIONS, LOOKUP)}
        cases |= {
            f"{UNSHARED} {k}": ("unshared", case_paths[k]) for k in (SERVICE, MENTIONS, LOOKUP)
        }
    probes = {"bare": case_paths[BARE][0], "warm": ME_PATH, "cold": ME_PATH, "unshared": ME_PATH}
    with ExitStack() as stack:
        ports = {
            server: stack.enter_context(gunicorn(app, app_env, token, probes[server]))
            for server, (app, app_env) in servers.items()
        }
        for run in range(args.runs):
            print(f"run {run + 1} of {args.runs} at ×{scale} …", flush=True)
            results.add(scale, measure(ports, token, cases, args.seconds, run == 0, url))
    if not args.keep:
        drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per figure")
    parser.add_argument("--runs", type=int, default=1, help="runs; median and spread printed")
    parser.add_argument("--cold", action="store_true", help="also with per-process caches cold")
    parser.add_argument("--scale", type=int, default=1, help="also at N times the data")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases afterwards, and use those kept before (their data unchanged)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    use_own_var_dir()  # gunicorn inherits it: nothing of `make run`'s var/ is touched
    results = Results()
    for scale in sorted({1, args.scale}):
        name = "api_bench" if scale == 1 else f"api_bench_x{scale}"
        bench_data_set(bench_database_url(name), scale, args, results)
    print(f"gunicorn {WORKERS} sync workers, wrk {CONNECTIONS} connections, {args.seconds} s each")
    report(results)


if __name__ == "__main__":
    main()
