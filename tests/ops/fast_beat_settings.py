"""The product's settings with the periodic jobs every second or two, for tests that start
real beats: what a minute shows in production, a few seconds show here."""

from oncall_project.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "handoff-tick": {"task": "schedules.tasks.handoff_tick", "schedule": 1.0},
    "sweep-outbox": {"task": "escalation.tasks.sweep_outbox", "schedule": 2.0},
}
