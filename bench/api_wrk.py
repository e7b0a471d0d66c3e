"""wrk for `make bench-api`: drive one server with a list of paths and read back requests per
second and latency percentiles; several runs summed up as their median and spread."""

import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CONNECTIONS, THREADS = 16, 2

LUA = """
local paths = {%s}
local n = 0
wrk.headers["Authorization"] = "Token %s"
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class Figure:
    rps: float
    p50: float
    p99: float


def wrk(port: int, token: str, paths: list[str], seconds: int) -> Figure:
    """wrk with CONNECTIONS connections cycling through `paths` for `seconds`."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (quoted, token))
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["-s", script.name, f"http://127.0.0.1:{port}"]
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit(f"wrk saw failed requests:\n{out}")
    return Figure(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=_latency(out, "50%"),
        p99=_latency(out, "99%"),
    )


def visit_all(port: int, token: str, paths: list[str], rounds: int = 6) -> None:
    """Ask for every path `rounds` times, CONNECTIONS at a time: each gunicorn worker takes
    connections as they come, so each then has seen nearly every path (a path a worker missed
    is one miss in the measurement). A timed warm-up would leave a slow machine mostly cold."""

    def ask(chunk: list[str]) -> None:
        for path in chunk:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers={"Authorization": f"Token {token}"})
            status = connection.getresponse().status
            connection.close()
            if status != 200:
                sys.exit(f"{path}: {status} while warming up")

    chunks = [paths[i::CONNECTIONS] * rounds for i in range(CONNECTIONS)]
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(ask, chunks))


def _latency(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


@dataclass(frozen=True)
class Summary:
    """The median of several runs' figures, and their spread (lowest, highest)."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, unit: str, digits: int = 0) -> str:
        median = f"{self.median:,.{digits}f}{unit}"
        if len(self.values) == 1:
            return median
        low, high = min(self.values), max(self.values)
        return f"{median} ({low:,.{digits}f}–{high:,.{digits}f})"
