"""Operators read the watchdog's alerts, the beat lease and heartbeats in the admin."""

import datetime

import pytest
from django.utils import timezone

from oncall_project.telemetry.models import Alert, Heartbeat, Lease
from tests.admin_support import admin_url as url
from tests.admin_support import login_operator

ROWS = {
    Alert: lambda now: Alert.objects.create(name="handoff_tick_stale", firing=True, since=now),
    Heartbeat: lambda now: Heartbeat.objects.create(name="handoff_tick", at=now),
    Lease: lambda now: Lease.objects.create(
        name="celery-beat", holder="host:1:abc", expires_at=now + datetime.timedelta(seconds=30)
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(ROWS), ids=lambda m: m.__name__)
def test_ops_tables_are_listed_and_read_only(client, model):
    login_operator(client)
    row = ROWS[model](timezone.now())
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "change", row.pk)).status_code == 200
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
