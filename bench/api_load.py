"""Load benchmark of the bot's lookups over HTTP, on PostgreSQL.

Builds a throw-away database (1,000 teams, 10,000 services, 20,000 members, 50,000 schedules,
5,000 overrides), serves it with gunicorn (2 workers), and drives it with wrk at 16 concurrent
clients: `/oncall/?service=`, `/oncall/mentions/` (5 services) and, as the ceiling, `/me/` (a
trivial authenticated DRF endpoint). Goal: each lookup ≥ 60 % of the ceiling's requests per
second, with p99 ≤ 25 ms.

Run: make bench-api   (DATABASE_URL must name a PostgreSQL server; wrk must be installed)
     .venv/bin/python bench/api_load.py --seconds 20 --keep
"""

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.api_data import TEAMS, build  # noqa: E402
from tests.isolation import use_own_var_dir  # noqa: E402

CONNECTIONS = 16
WORKERS = 2
TARGET_SHARE, TARGET_P99_MS = 0.60, 25.0


def bench_database_url(name: str = "oncall_api_bench", script: str = "bench/api_load.py") -> str:
    """A database called `name` on DATABASE_URL's PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oncall")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{script} measures the production stack: DATABASE_URL=postgres://…")
    return url.rsplit("/", 1)[0] + f"/{name}"


def recreate_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict, port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "oncall_project.wsgi", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(port: int, token: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/me/", headers={"Authorization": f"Token {token}"}
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not come up")


LUA = """
local paths = {%s}
local n = 0
wrk.headers["Authorization"] = "Token %s"
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def wrk(port: int, token: str, paths: list[str], seconds: int) -> dict:
    """Requests per second and latency percentiles for wrk cycling through `paths`."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (quoted, token))
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["-s", script.name, f"http://127.0.0.1:{port}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    if "Non-2xx" in out:
        sys.exit(f"wrk saw error responses:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _latency(out, "50%"),
        "p99": _latency(out, "99%"),
    }


def _latency(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def lookups(names: list[str]) -> dict[str, list[str]]:
    rng = random.Random(11)
    picks = rng.sample(names, 500)
    return {
        "ceiling: /me/": ["/api/v1/me/"],
        "/oncall/?service=": [f"/api/v1/oncall/?service={name}" for name in picks],
        "/oncall/mentions/ (5 services)": [
            "/api/v1/oncall/mentions/?services=" + ",".join(rng.sample(names, 5))
            for _ in range(300)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15, help="measured seconds per endpoint")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    url = bench_database_url()
    use_own_var_dir()  # gunicorn inherits it: nothing of `make run`'s var/ is touched
    recreate_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "DB_CONN_MAX_AGE": "600"}
    # The throttle stays on (its cost is part of every request), far above the load.
    env |= {"API_TOKEN_RATE": "100000000/minute", "SECRET_KEY": "bench-only"}
    started = time.perf_counter()
    token, names = build(env)
    print(f"data: {TEAMS:,} teams and the rest built in {time.perf_counter() - started:.0f} s")
    port = free_port()
    server = serve(env, port)
    try:
        wait_until_up(port, token)
        report(port, token, lookups(names), args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            drop_database(url)


def report(port: int, token: str, cases: dict[str, list[str]], seconds: int) -> None:
    print(f"gunicorn {WORKERS} workers, wrk {CONNECTIONS} connections, {seconds} s each")
    results = {}
    for label, paths in cases.items():
        wrk(port, token, paths, 3)  # warm the workers' connections and caches
        results[label] = wrk(port, token, paths, seconds)
    ceiling = results["ceiling: /me/"]["rps"]
    for label, r in results.items():
        share = r["rps"] / ceiling
        ok = label.startswith("ceiling") or (share >= TARGET_SHARE and r["p99"] <= TARGET_P99_MS)
        print(
            f"{label:<34} {r['rps']:>8.0f} req/s  {share:>5.0%} of ceiling  "
            f"p50 {r['p50']:>6.2f} ms  p99 {r['p99']:>6.2f} ms  {'ok' if ok else 'MISSED'}"
        )
    print(f"(targets: >= {TARGET_SHARE:.0%} of the ceiling, p99 <= {TARGET_P99_MS:.0f} ms)")


if __name__ == "__main__":
    main()
