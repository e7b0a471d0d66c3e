"""The figures of `make bench-api` beside issue 17's targets, each marked met or MISSED, and the
closing line `bench-api: all targets met` / `bench-api: N short`.

Shares (a lookup's req/s over /me/'s or the bare ceiling's) are taken within each run, then
their median: two figures measured a few seconds apart on the same machine vary together."""

from collections import defaultdict
from collections.abc import Callable

from bench.api_wrk import Figure, Summary

BARE, ME = "ceiling: bare WSGI app", "/me/ (trivial, authenticated)"
P99_MS, SHARE_OF_ME, SHARE_OF_BARE = 15.0, 0.90, 0.70
COLD_RPS, COLD_P99_MS = 600.0, 60.0
SCALE_TOLERANCE = 0.10


class Results:
    """Per data scale, each run's figures by label."""

    def __init__(self) -> None:
        self.runs: dict[int, list[dict[str, Figure]]] = defaultdict(list)

    def add(self, scale: int, figures: dict[str, Figure]) -> None:
        self.runs[scale].append(figures)

    def summary(self, scale: int, label: str, read: Callable[[dict[str, Figure]], float]):
        return Summary(tuple(read(run) for run in self.runs[scale] if label in run))


class Checks:
    def __init__(self) -> None:
        self.short = 0

    def check(self, subject: str, value: str, target: str, met: bool) -> None:
        self.short += not met
        print(f"  {subject:<56} {value:<26} target {target:<16} {'met' if met else 'MISSED'}")


def report(results: Results) -> None:
    for scale, runs in sorted(results.runs.items()):
        print(f"\nfigures at ×{scale} (median of {len(runs)} runs, spread in brackets):")
        for label in runs[0]:
            rps = results.summary(scale, label, lambda r, k=label: r[k].rps)
            p50 = results.summary(scale, label, lambda r, k=label: r[k].p50)
            p99 = results.summary(scale, label, lambda r, k=label: r[k].p99)
            print(
                f"  {label:<38} {rps.text(' req/s'):<30} p50 {p50.text(' ms', 1):<22} "
                f"p99 {p99.text(' ms', 1)}"
            )
    checks = Checks()
    print("\ntargets:")
    lookups = [label for label in results.runs[1][0] if label.startswith("/") and label != ME]
    for label in lookups:
        _warm(results, checks, label)
    for label in results.runs[1][0]:
        if label.startswith("cold "):
            _cold(results, checks, label)
    for scale in results.runs:
        if scale != 1:
            for label in lookups:
                _scaled(results, checks, scale, label)
    print("bench-api: all targets met" if checks.short == 0 else f"bench-api: {checks.short} short")


def _warm(results: Results, checks: Checks, label: str) -> None:
    p99 = results.summary(1, label, lambda r: r[label].p99)
    checks.check(f"{label} p99", p99.text(" ms", 1), f"<= {P99_MS:.0f} ms", p99.median <= P99_MS)
    of_me = results.summary(1, label, lambda r: r[label].rps / r[ME].rps)
    checks.check(
        f"{label} req/s / /me/'s",
        _percent(of_me),
        f">= {SHARE_OF_ME:.0%}",
        of_me.median >= SHARE_OF_ME,
    )
    of_bare = results.summary(1, label, lambda r: r[label].rps / r[BARE].rps)
    checks.check(
        f"{label} req/s / bare ceiling's",
        _percent(of_bare),
        f">= {SHARE_OF_BARE:.0%}",
        of_bare.median >= SHARE_OF_BARE,
    )


def _cold(results: Results, checks: Checks, label: str) -> None:
    rps = results.summary(1, label, lambda r: r[label].rps)
    checks.check(f"{label} req/s", rps.text(""), f">= {COLD_RPS:.0f}", rps.median >= COLD_RPS)
    p99 = results.summary(1, label, lambda r: r[label].p99)
    checks.check(
        f"{label} p99", p99.text(" ms", 1), f"<= {COLD_P99_MS:.0f} ms", p99.median <= COLD_P99_MS
    )


def _scaled(results: Results, checks: Checks, scale: int, label: str) -> None:
    """At `scale`, the warm figures within SCALE_TOLERANCE of those at ×1 (medians)."""
    base_rps = results.summary(1, label, lambda r: r[label].rps).median
    base_p99 = results.summary(1, label, lambda r: r[label].p99).median
    rps = results.summary(scale, label, lambda r: r[label].rps / base_rps)
    p99 = results.summary(scale, label, lambda r: r[label].p99 / base_p99)
    floor, ceiling = 1 - SCALE_TOLERANCE, 1 + SCALE_TOLERANCE
    checks.check(
        f"×{scale} {label} req/s / ×1's", _percent(rps), f">= {floor:.0%}", rps.median >= floor
    )
    checks.check(
        f"×{scale} {label} p99 / ×1's", _percent(p99), f"<= {ceiling:.0%}", p99.median <= ceiling
    )


def _percent(summary: Summary) -> str:
    return Summary(tuple(v * 100 for v in summary.values)).text(" %")
