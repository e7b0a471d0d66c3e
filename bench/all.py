"""`make bench`: every database benchmark in turn, each in a process of its own (Django is
set up once per process, on its own database), their output as it comes, then one line:
`bench: all targets met` or `bench: N short`, adding up each one's closing
`bench-<name>: all targets met | N short` line. A benchmark that ends without one (it failed)
counts as one short."""

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("bench_engine.py", "run.py", "history.py")
CLOSING = re.compile(r"^bench-[\w-]+: (?:all targets met|(\d+) short)\s*$")


def run(script: str) -> int:
    """Run one benchmark, echoing its output; how many of its targets it missed."""
    print(f"== {script}", flush=True)
    process = subprocess.Popen(
        [sys.executable, str(HERE / script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    short = None
    for line in process.stdout:
        print(line, end="", flush=True)
        if found := CLOSING.match(line):
            short = int(found.group(1) or 0)
    process.wait()
    if short is None or process.returncode:
        print(f"{script}: ended without its closing line (exit {process.returncode})")
        return max(short or 0, 1)
    return short


def main() -> int:
    short = sum(run(script) for script in BENCHMARKS)
    print("bench: all targets met" if not short else f"bench: {short} short")
    return 0


if __name__ == "__main__":
    sys.exit(main())
