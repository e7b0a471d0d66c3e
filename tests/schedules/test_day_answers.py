"""The day answers every process shares through the Redis cache (`schedules.day_answers`): a
process meeting a team for the first time that day reads the answer another worked out, with no
state loaded; every write that can move the on-call, and a new day, is a miss in every process;
the handoff shares each new day's answers once it commits — checked in this process and across
real gunicorn nodes."""

import datetime
import tempfile
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from schedules import day_answers, oncall_now, selectors
from schedules.actions import handoff_process, rotation_config_update
from schedules.actions.handoff import handoff_mark_due
from teams.actions import RotationSettings
from teams.models import Team
from tests.api_support import token_client
from tests.factories import ScheduleFactory, ServiceFactory
from tests.ops.processes import Processes, free_port, wait_until_up
from tests.schedules import test_oncall_now as changes
from tests.schedules.test_oncall_now import fresh, looked_up, uncached

REDIS_URL = settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis") else ""
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="answers are shared through a cache every process shares (Redis)"
)
team = changes.team  # the fixture: Payments, weekly round robin of Alice, Bob and Carol


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "oncall_project.base.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    oncall_now.clear()
    yield
    oncall_now.clear()


def another_process() -> None:
    """This process, as one that never met any team: only the shared answers are left."""
    oncall_now.clear(shared=False)


def test_another_process_reads_the_answer_with_no_query(team, django_assert_num_queries):
    # Midday, far from the 09:00 handoff: at 08:59:56 the second lookup is another day's
    at = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    first = looked_up(team, at)
    another_process()
    team = fresh(team)
    with django_assert_num_queries(0):
        again = oncall_now.on_call_now([team], at + datetime.timedelta(seconds=5))[team.pk]
        names = oncall_now.names_at(team, at)
    assert again == first == uncached(team, at)
    assert {"U_ALICE", "U_BOB", "U_CAROL"} <= set(names)  # its members' names come with it


def test_nothing_is_shared_with_the_setting_off(team, settings, django_assert_num_queries):
    settings.ONCALL_SHARED_ANSWERS = False
    at = timezone.now()
    looked_up(team, at)
    another_process()
    expected = uncached(team, at)
    with django_assert_num_queries(3):  # the team, its members and its spans
        assert looked_up(team, at) == expected


def test_a_state_asked_for_is_loaded_where_only_the_answer_is_shared(
    team, django_assert_num_queries
):
    at = timezone.now()
    looked_up(team, at)
    another_process()
    team = fresh(team)
    oncall_now.on_call_now([team], at)
    with django_assert_num_queries(2):
        state = oncall_now.state_at(team, at)
    assert state == selectors.team_state(team, selectors.local_today(team, at))


def test_an_answer_on_another_on_call_day_is_not_read(team, django_assert_num_queries):
    at = timezone.now()
    looked_up(team, at)
    another_process()
    later = at + datetime.timedelta(days=3)
    team = fresh(team)
    with django_assert_num_queries(2):
        answer = oncall_now.on_call_now([team], later)[team.pk]
    assert answer == uncached(team, later)


def test_a_state_read_inside_a_transaction_of_our_own_is_not_shared(
    team, django_assert_num_queries
):
    at = timezone.now()
    with transaction.atomic():
        day = selectors.local_today(team, at)
        ScheduleFactory(team=team, engineer_slack_id="U_ZED", start_date=day, end_date=day)
        assert oncall_now.on_call_now([team], at)[team.pk].engineer == "U_ZED"
        transaction.set_rollback(True)
    another_process()
    team = fresh(team)
    with django_assert_num_queries(2):
        after = oncall_now.on_call_now([team], at)[team.pk]
    assert after.engineer != "U_ZED" and after == uncached(team, at)


@pytest.mark.parametrize(
    ("setup", "change", "moves"),
    [
        (changes._nothing, changes.schedule_today, True),
        (changes._zed_schedule, changes.schedule_moved, True),
        (changes._nothing, changes.override_auto_approved, True),
        (changes._zed_override("approved"), changes.override_cancelled, True),
        (changes._nothing, changes.member_removed, True),
        (changes._nothing, changes.member_not_eligible, True),
        (changes._nothing, changes.rotation_switched_off, True),
        (changes._rotation_off, changes.default_engineer_changed, True),
        (changes._nothing, changes.away_from_every_team, True),
        (changes._nothing, changes.handed_off, False),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_every_write_that_can_move_the_oncall_is_seen_by_another_process(
    team, setup, change, moves
):
    setup(team)
    at = timezone.now()
    before = looked_up(team, at)  # shared under this version of the team
    another_process()
    assert looked_up(team, at) == before  # read from the shared answers

    change(fresh(team))
    another_process()

    after = looked_up(team, at)
    assert after == uncached(fresh(team), at)
    assert (after.engineer != before.engineer) is moves


def _with_backup_line_handed_off(team, now, capture) -> Team:
    """The team with a daily backup line, handed off at `now` (its answers shared)."""
    rotation_config_update(
        team=team,
        actor=None,
        role="backup",
        now=now,
        settings=RotationSettings(
            rotation_enabled=True,
            rotation_interval="daily",
            rotation_start_date=now.date() - datetime.timedelta(days=3),
        ),
    )
    handoff_mark_due(team_id=team.pk)
    oncall_now.clear()  # nothing shared before the handoff
    with capture(execute=True):
        assert handoff_process(team_id=team.pk, now=now) is not None
    another_process()
    return Team.objects.select_related("backup_line").get(pk=team.pk)  # as the handoff left it


def test_the_handoff_shares_the_new_days_answers_of_both_lines(
    team, django_capture_on_commit_callbacks, django_assert_num_queries
):
    now = timezone.now()
    team = _with_backup_line_handed_off(team, now, django_capture_on_commit_callbacks)
    with django_assert_num_queries(0):
        primary = oncall_now.on_call_now([team], now)[team.pk]
        backup = oncall_now.backup_now([team], now)[team.pk]
    assert primary == uncached(team, now)
    oncall_now.clear()  # worked out afresh, from the state
    assert backup == oncall_now.backup_now([team], now)[team.pk]
    assert backup.engineer in {"U_ALICE", "U_BOB", "U_CAROL"}


def test_a_lookup_of_a_team_with_a_backup_line_reads_no_state_once_shared(
    team, django_capture_on_commit_callbacks, django_assert_num_queries
):
    ServiceFactory(name="Checkout", team=team)
    client = token_client()
    team = _with_backup_line_handed_off(team, timezone.now(), django_capture_on_commit_callbacks)
    with django_assert_num_queries(2):  # the token, the service with its team: no state
        body = client.get("/api/v1/oncall/?service=Checkout").json()
    assert body["backup"]["engineer_slack_id"] in {"U_ALICE", "U_BOB", "U_CAROL"}
    assert body["backup"]["engineer_name"]  # the member's name, kept with the shared answer


def _oncall(port: int, token: str, service: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/oncall/?service={service}",
        headers={"Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="a second process shares the test database on PostgreSQL only",
)
def test_a_change_is_seen_at_once_by_a_node_that_read_the_shared_answer(team):
    from oncall_project.tokens import api_token_create

    ServiceFactory(name="Checkout", team=team)
    _, token = api_token_create(name="shared-answers-bot")
    ports = [free_port(), free_port()]
    env = {"CACHE_URL": REDIS_URL, "ONCALL_CACHE_TEAMS": "0", "API_TOKEN_RATE": "1000/minute"}
    with tempfile.TemporaryDirectory() as folder, Processes(Path(folder)) as processes:
        for n, port in enumerate(ports):
            processes.web(f"web{n}", port, **env)
        for port in ports:
            wait_until_up(f"http://127.0.0.1:{port}/healthz")
        first = _oncall(ports[0], token, "Checkout")  # worked out by node 0, shared
        version = fresh(team).oncall_version
        day = selectors.local_today(team, timezone.now())
        assert day_answers.recall([(team.pk, version, day, "primary")])
        assert _oncall(ports[1], token, "Checkout") == first  # node 1 reads it

        changes.override_auto_approved(fresh(team))  # U_ZED on call today

        assert all('"engineer_slack_id":"U_ZED"' in _oncall(p, token, "Checkout") for p in ports)


def test_a_cache_that_is_down_or_holds_garbage_costs_the_answer_nothing(team, settings, caplog):
    at = timezone.now()
    key = (team.pk, fresh(team).oncall_version, selectors.local_today(team, at), "primary")
    caches["default"].set(day_answers._cache_key(key), b"not a pickle")
    assert looked_up(team, at) == uncached(team, at)  # a value of another kind: ignored
    caches["default"].set(day_answers._cache_key(key), "x", timeout=60)
    caches["default"]._cache._serializer = _Garbled()  # a value it cannot read
    another_process()
    assert looked_up(team, at) == uncached(team, at)
    settings.CACHES = {
        "default": {
            "BACKEND": "oncall_project.base.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    another_process_after_an_outage = looked_up(team, at + datetime.timedelta(days=1))
    assert another_process_after_an_outage == uncached(team, at + datetime.timedelta(days=1))
    assert "could not be read" in caplog.text and "could not be written" in caplog.text


class _Garbled:
    def dumps(self, value):
        return b"garbage"

    def loads(self, value):
        raise ValueError("unreadable")


def test_answers_shared_by_other_code_are_not_read(team, monkeypatch, django_assert_num_queries):
    """A deploy that changes how answers are worked out never reads what the code before it
    shared: the fingerprint of that code (the engine and what loads its state) is in every key."""
    fingerprint = day_answers._fingerprint(day_answers.ANSWERING_CODE)
    assert f"oncall-day:{fingerprint}" == day_answers.PREFIX
    read = {path.relative_to(day_answers.ROOT).as_posix() for path in day_answers.ANSWERING_CODE}
    assert {
        "schedules/domain/resolution.py",
        "schedules/checkpoints.py",
        "schedules/spans.py",
        "teams/rotation_fields.py",
        "teams/selectors.py",
    } <= read
    at = timezone.now()
    looked_up(team, at)
    another_process()
    monkeypatch.setattr(day_answers, "PREFIX", "oncall-day:othercode")
    team = fresh(team)
    with django_assert_num_queries(2):
        oncall_now.on_call_now([team], at)
