"""Dates in words, as the pages write them: warnings and Slack messages say days this way."""

from datetime import date


def days_text(start: date, end: date) -> str:
    """A run of days: "Mon 7 Dec 2026 to Sun 13 Dec 2026", or one day alone: "Wed 2 Dec 2026"."""

    def day(d: date) -> str:
        return f"{d:%a} {d.day} {d:%b %Y}"

    return day(start) if start == end else f"{day(start)} to {day(end)}"
