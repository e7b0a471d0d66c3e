"""Each figure of a benchmark beside its target, marked met or MISSED, and the closing line
`bench-<name>: all targets met` / `bench-<name>: N short` that `make bench` adds up."""

import statistics
import time
from collections.abc import Callable


class Targets:
    def __init__(self, name: str) -> None:
        self.name = name
        self.short = 0

    def check(self, subject: str, value: str, target: str, met: bool) -> None:
        self.short += not met
        print(f"{subject:<58} {value:>24}   target {target:<18} {'met' if met else 'MISSED'}")

    def at_most(self, subject: str, value: float, limit: float, unit: str = "ms") -> None:
        self.check(subject, f"{value:.1f} {unit}", f"<= {limit:g} {unit}", value <= limit)

    def done(self) -> None:
        verdict = "all targets met" if not self.short else f"{self.short} short"
        print(f"bench-{self.name}: {verdict}")


def median_ms(fn: Callable[[], object], runs: int = 9) -> float:
    """The median wall time of `runs` calls, after one to warm up."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
