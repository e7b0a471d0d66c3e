"""The product's settings with a periodic job further apart than a short beat lease: the beat
holding the lease must renew it between dispatches, not only when a job is due."""

from oncall_project.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "handoff-tick": {"task": "schedules.tasks.handoff_tick", "schedule": 8.0},
}
