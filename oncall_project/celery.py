"""The Celery app. Beat entries live in settings (CELERY_BEAT_SCHEDULE)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")

app = Celery("oncall_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
