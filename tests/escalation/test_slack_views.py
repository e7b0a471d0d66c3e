"""Inbound Slack requests, signed as Slack signs them (HMAC-SHA256 over v0:timestamp:body)."""

import datetime
import hashlib
import hmac
import json
import time
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from bench import data
from escalation.actions import EscalationRequest, escalation_create
from escalation.models import Escalation, SlackSignature
from escalation.oncall_reply import oncall_reply
from escalation.slack_views import REPLAY_WINDOW_SECONDS
from schedules.models import Override
from teams import slack_proof
from teams.models import TeamRole
from tests.factories import (
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    StaffUserFactory,
    TeamFactory,
    linked_person,
)

SECRET = "test-signing-secret"


@pytest.fixture(autouse=True)
def signing_secret(settings):
    settings.SLACK_SIGNING_SECRET = SECRET


def signature_for(body: str, timestamp: str, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_raw(client, path, body: str, timestamp: str, signature: str):
    return client.post(
        path,
        data=body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_SLACK_SIGNATURE=signature,
    )


def signed_post(client, path, form: dict, *, secret=SECRET, age=0):
    body = urllib.parse.urlencode(form)
    timestamp = str(int(time.time()) - age)
    return post_raw(client, path, body, timestamp, signature_for(body, timestamp, secret))


@pytest.fixture
def payments(db):
    team = TeamFactory(
        name="Payments", slug="payments", oncall_engineer="U_ALICE", overrides_require_approval=True
    )
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    ServiceFactory(name="Payment", team=team)
    return team


def test_oncall_command_answers_for_a_service(client, payments):
    response = signed_post(client, "/slack/commands/", {"command": "/oncall", "text": "payment"})
    assert response.status_code == 200
    assert response.json()["text"].startswith("*Payment* (team Payments): <@U_ALICE>")


def test_oncall_command_answers_for_a_team(client, payments):
    text = signed_post(client, "/slack/commands/", {"text": "payments"}).json()["text"]
    # the default holds with nothing planned after it: no made-up end, nobody "next"
    assert text == "*Payments*: <@U_ALICE> (team default) until further notice."
    unknown = signed_post(client, "/slack/commands/", {"text": "nope"}).json()["text"]
    assert "No service or team called 'nope'" in unknown


def test_oncall_alone_lists_the_callers_own_shifts(client, payments):
    today = timezone.now().date()
    ScheduleFactory(
        team=payments,
        engineer_slack_id="U_BOB",
        start_date=today + datetime.timedelta(days=2),
        end_date=today + datetime.timedelta(days=4),
    )
    mine = signed_post(client, "/slack/commands/", {"text": "", "user_id": "U_BOB"}).json()
    assert mine["text"].startswith("Your on-call shifts in the next 28 days:")
    assert "*Payments*" in mine["text"] and "(schedule)" in mine["text"]
    none = signed_post(client, "/slack/commands/", {"text": "", "user_id": "U_NOBODY"}).json()
    assert none["text"].startswith("You have no on-call shifts")


def test_oncall_alone_lists_the_shift_the_caller_is_on_now_west_of_utc(payments):
    payments.timezone = "America/Los_Angeles"
    payments.save()
    day = datetime.date(2026, 6, 10)
    ScheduleFactory(team=payments, engineer_slack_id="U_BOB", start_date=day, end_date=day)
    zone = ZoneInfo("America/Los_Angeles")
    # the command passes timezone.now(), in UTC: 18:00 in California is already the 11th
    evening = datetime.datetime(2026, 6, 10, 18, 0, tzinfo=zone).astimezone(datetime.UTC)
    assert "*Payments*" in oncall_reply("", "U_BOB", evening)
    after = datetime.datetime(2026, 6, 11, 9, 0, tzinfo=zone).astimezone(datetime.UTC)
    assert oncall_reply("", "U_BOB", after).startswith("You have no on-call shifts")


@pytest.mark.parametrize("form", [{"text": "pay\x00ment"}, {"text": "", "user_id": "U_BOB\x00"}])
def test_a_command_with_a_nul_character_is_a_400(client, payments, form):
    # PostgreSQL refuses NUL in a query parameter: a 500 there without the check
    assert signed_post(client, "/slack/commands/", form).status_code == 400


@pytest.mark.parametrize(
    ("secret", "age"),
    [("wrong-secret", 0), (SECRET, 60 * 10)],
    ids=["bad signature", "stale timestamp"],
)
def test_unsigned_or_stale_requests_are_refused(client, payments, secret, age):
    response = signed_post(client, "/slack/commands/", {"text": "payment"}, secret=secret, age=age)
    assert response.status_code == 401


def test_a_replayed_request_is_refused_and_changes_nothing(client, payments):
    override = OverrideFactory(team=payments)
    form = interaction("override_approve", str(override.pk), "U_LEAD")
    body = urllib.parse.urlencode(form)
    timestamp = str(int(time.time()))
    signature = (
        "v0="
        + hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    )
    headers = {"HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp, "HTTP_X_SLACK_SIGNATURE": signature}
    first = client.post(
        "/slack/interactions/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        **headers,
    )
    assert first.status_code == 200
    Override.objects.filter(pk=override.pk).update(status="pending")
    # Another gunicorn worker shares no per-process cache: forgetting the cache must not help.
    cache.clear()
    again = client.post(
        "/slack/interactions/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        **headers,
    )
    assert again.status_code == 401
    assert Override.objects.get(pk=override.pk).status == "pending"


def test_signatures_are_kept_for_the_replay_window_only(client, payments):
    assert signed_post(client, "/slack/commands/", {"text": "payment"}).status_code == 200
    (seen,) = SlackSignature.objects.all()
    assert seen.signature.startswith("v0=")
    old = timezone.now() - datetime.timedelta(seconds=REPLAY_WINDOW_SECONDS + 1)
    SlackSignature.objects.filter(pk=seen.pk).update(created_at=old)
    assert signed_post(client, "/slack/commands/", {"text": "bill"}).status_code == 200
    # the stale one (its timestamp long refused by the verifier) was forgotten on the way
    assert SlackSignature.objects.count() == 1 and not SlackSignature.objects.filter(pk=seen.pk)


def test_a_replay_is_refused_and_still_forgets_the_stale_signatures(client, payments):
    """Refusing the replay (the unique key turned it down) must not undo the clean-up done
    on the way: the stale signature is gone all the same."""
    body = urllib.parse.urlencode({"text": "payment"})
    timestamp = str(int(time.time()))
    signature = signature_for(body, timestamp)
    assert post_raw(client, "/slack/commands/", body, timestamp, signature).status_code == 200
    stale = SlackSignature.objects.create(signature="v0=stale")
    old = timezone.now() - datetime.timedelta(seconds=REPLAY_WINDOW_SECONDS + 1)
    SlackSignature.objects.filter(pk=stale.pk).update(created_at=old)
    assert post_raw(client, "/slack/commands/", body, timestamp, signature).status_code == 401
    assert list(SlackSignature.objects.values_list("signature", flat=True)) == [signature]


def test_a_refused_signature_is_not_remembered(client, payments):
    assert signed_post(client, "/slack/commands/", {"text": "x"}, secret="bad").status_code == 401
    assert not SlackSignature.objects.exists()


def test_without_a_signing_secret_everything_is_refused(client, payments, settings):
    settings.SLACK_SIGNING_SECRET = ""
    assert signed_post(client, "/slack/commands/", {"text": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("timestamp_age", "arrived_ago"),
    [(290, 290), (290, 580)],
    ids=["on time", "timestamped ahead of our clock"],
)
def test_a_replay_is_refused_for_as_long_as_its_timestamp_passes_as_fresh(
    client, payments, timestamp_age, arrived_ago
):
    """The verifier takes a timestamp up to five minutes either side of our clock: a request
    timestamped 290 s ahead of us when it arrived is still fresh 580 s later, so its signature
    must still be remembered then."""
    body = urllib.parse.urlencode({"text": "payment"})
    timestamp = str(int(time.time()) - timestamp_age)
    signature = signature_for(body, timestamp)
    assert post_raw(client, "/slack/commands/", body, timestamp, signature).status_code == 200
    arrived = timezone.now() - datetime.timedelta(seconds=arrived_ago)
    SlackSignature.objects.filter(signature=signature).update(created_at=arrived)
    assert post_raw(client, "/slack/commands/", body, timestamp, signature).status_code == 401


def test_the_signature_is_checked_over_the_bytes_slack_sent(client, payments):
    # %20 for a space, where Python's urlencode writes "+": re-encoding the parsed form would
    # check the signature over other bytes and refuse a genuine request
    body = "command=%2Foncall&text=%20payment%20&user_id=U_BOB"
    timestamp = str(int(time.time()))
    response = post_raw(client, "/slack/commands/", body, timestamp, signature_for(body, timestamp))
    assert response.status_code == 200
    assert response.json()["text"].startswith("*Payment* (team Payments): <@U_ALICE>")


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("soon", "v0=00"),
        ("", "v0=00"),
        ("9" * 5000, "v0=00"),
        ("now", "v0=\u00e9"),
    ],
    ids=["a word", "empty", "too long a number", "a signature not in ASCII"],
)
def test_a_malformed_signature_header_is_refused_not_an_error(
    client, payments, timestamp, signature
):
    # anyone may send these: slack-sdk's verifier raises on them rather than saying no
    timestamp = str(int(time.time())) if timestamp == "now" else timestamp
    body = urllib.parse.urlencode({"text": "payment"})
    assert post_raw(client, "/slack/commands/", body, timestamp, signature).status_code == 401
    assert not SlackSignature.objects.exists()


def test_slack_posts_without_a_csrf_token_and_is_answered(payments):
    """Slack cannot send Django's CSRF token: both endpoints must take its posts without one."""
    strict = Client(enforce_csrf_checks=True)
    command = signed_post(strict, "/slack/commands/", {"text": "payment"})
    assert command.status_code == 200
    override = OverrideFactory(team=payments)
    press = interaction("override_approve", str(override.pk), "U_LEAD")
    assert signed_post(strict, "/slack/interactions/", press).status_code == 200
    assert Override.objects.get(pk=override.pk).status == "approved"


@pytest.mark.parametrize("word", ["link", " Link ", "LINK"])
def test_the_link_reply_is_for_the_caller_only_and_says_how_long_it_lasts(client, payments, word):
    response = signed_post(client, "/slack/commands/", {"text": word, "user_id": "U_BOB"})
    reply = response.json()
    # the link signs its holder in as this Slack user: never posted where others can see it
    assert reply["response_type"] == "ephemeral"
    minutes = slack_proof.MAX_AGE_SECONDS // 60
    assert reply["text"].startswith("Open this link while signed in to On-call")
    assert f"to <@U_BOB> (valid {minutes} minutes, only for you): http" in reply["text"]


def test_oncall_answers_within_three_seconds_among_a_thousand_teams(client, payments):
    data.make_teams(1000, prefix="many")
    start = time.perf_counter()
    response = signed_post(client, "/slack/commands/", {"text": "many-999"})
    assert time.perf_counter() - start < 3.0
    assert response.json()["text"].startswith("*many 999*: <@UMANY999>")


def interaction(action_id, value, user):
    # Slack's user object carries a username and a name beside the id: only the id is theirs.
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
        "actions": [{"action_id": action_id, "value": value}],
    }
    return {"payload": json.dumps(payload)}


def test_a_lead_approves_an_override_from_the_slack_button(client, payments):
    override = OverrideFactory(team=payments)
    response = signed_post(
        client, "/slack/interactions/", interaction("override_approve", str(override.pk), "U_LEAD")
    )
    # the reply names whose override it is, not who pressed the button
    assert response.json()["text"] == "Override for <@U_BOB> approved."
    override.refresh_from_db()
    assert (override.status, override.approved_by) == ("approved", "U_LEAD")


def test_a_non_lead_cannot_decide_from_slack(client, payments):
    override = OverrideFactory(team=payments)
    response = signed_post(
        client, "/slack/interactions/", interaction("override_reject", str(override.pk), "U_RANDOM")
    )
    assert ":no_entry:" in response.json()["text"]
    assert Override.objects.get(pk=override.pk).status == "pending"


def test_the_reject_button_rejects_for_a_lead_and_is_refused_to_the_requester(client, payments):
    """Reject is a lead's decision: the requester pressing it (who may cancel their own request
    elsewhere) is refused, and a lead's press records a rejection, not a cancellation."""
    MembershipFactory(team=payments, slack_user_id="U_BOB")
    override = OverrideFactory(team=payments, requested_by="U_BOB", engineer_slack_id="U_BOB")
    reject = interaction("override_reject", str(override.pk), "U_BOB")
    response = signed_post(client, "/slack/interactions/", reject)
    assert response.json()["text"] == ":no_entry: Only staff or a lead of Payments may do this."
    assert Override.objects.get(pk=override.pk).status == "pending"
    reject = interaction("override_reject", str(override.pk), "U_LEAD")
    assert signed_post(client, "/slack/interactions/", reject).json()["text"].endswith("rejected.")
    override.refresh_from_db()
    assert (override.status, override.approved_by) == ("rejected", "U_LEAD")


def test_the_acknowledge_button_stops_the_escalation(client, payments):
    esc = escalation_create(
        actor=None,
        request=EscalationRequest(
            bug_id="BUG-3", services=["Payment"], channel_id="C_BUGS", ack_timeout_minutes=5
        ),
    ).escalation
    response = signed_post(
        client, "/slack/interactions/", interaction("escalation_ack", str(esc.pk), "U_ALICE")
    )
    assert response.json()["text"] == "Acknowledged by <@U_ALICE>."
    esc.refresh_from_db()
    assert esc.status == "acknowledged"


def test_the_acknowledge_button_from_someone_neither_paged_nor_in_the_team_is_refused(
    client, payments
):
    esc = escalation_create(
        actor=None,
        request=EscalationRequest(bug_id="BUG-4", services=["Payment"], channel_id="C_BUGS"),
    ).escalation
    response = signed_post(
        client, "/slack/interactions/", interaction("escalation_ack", str(esc.pk), "U_OUTSIDER")
    )
    assert ":no_entry:" in response.json()["text"]
    assert Escalation.objects.get(pk=esc.pk).status == "open"


@pytest.mark.parametrize(("active", "acknowledged"), [(True, True), (False, False)])
def test_staff_acknowledge_and_decide_from_slack_as_on_the_pages(
    client, payments, active, acknowledged
):
    """Slack vouches for the id; the account linked to it says what they may do: staff may
    acknowledge an escalation that did not page them, and decide any override — unless that
    account is deactivated, when they are a Slack user like any other."""
    linked_person(StaffUserFactory(is_active=active), "U_STAFF")
    esc = escalation_create(
        actor=None,
        request=EscalationRequest(bug_id="BUG-5", services=["Payment"], channel_id="C_BUGS"),
    ).escalation
    override = OverrideFactory(team=payments)
    ack = signed_post(
        client, "/slack/interactions/", interaction("escalation_ack", str(esc.pk), "U_STAFF")
    ).json()["text"]
    approve = signed_post(
        client, "/slack/interactions/", interaction("override_approve", str(override.pk), "U_STAFF")
    ).json()["text"]
    esc.refresh_from_db()
    override.refresh_from_db()
    if acknowledged:
        assert (ack, esc.status, esc.acknowledged_by) == (
            "Acknowledged by <@U_STAFF>.",
            "acknowledged",
            "U_STAFF",
        )
        assert approve == "Override for <@U_BOB> approved."
        assert (override.status, override.approved_by) == ("approved", "U_STAFF")
    else:
        assert ack.startswith(":no_entry:") and esc.status == "open"
        assert approve.startswith(":no_entry:") and override.status == "pending"


@pytest.mark.parametrize(
    "payload",
    [
        "{",
        json.dumps({"user": {"id": "U_LEAD"}, "actions": ["override_approve"]}),
        json.dumps(
            {"user": {"id": "U_LEAD"}, "actions": [{"action_id": "override_approve", "value": [1]}]}
        ),
        json.dumps(
            {"user": {"id": ["U_LEAD"]}, "actions": [{"action_id": "escalation_ack", "value": ""}]}
        ),
        json.dumps({"actions": [{"action_id": "escalation_ack", "value": ""}]}),
        json.dumps({"user": {"id": "U_LEAD"}, "actions": []}),
        json.dumps({"user": "U_LEAD", "actions": [{"action_id": "escalation_ack", "value": ""}]}),
        "[]",
    ],
    ids=[
        "not json",
        "an action that is no object",
        "a value that is no text",
        "a user id that is no text",
        "no user",
        "no action",
        "a user that is no object",
        "a list",
    ],
)
def test_a_malformed_payload_is_a_400(client, payments, payload):
    assert signed_post(client, "/slack/interactions/", {"payload": payload}).status_code == 400


def test_an_unknown_button_changes_nothing(client, payments):
    override = OverrideFactory(team=payments)
    press = interaction("override_cancel", str(override.pk), "U_LEAD")
    assert signed_post(client, "/slack/interactions/", press).json()["text"] == "Unknown action."
    assert Override.objects.get(pk=override.pk).status == "pending"


@pytest.mark.parametrize("action_id", ["escalation_snooze", "escalation_ack_all", ""])
def test_a_button_merely_named_like_acknowledge_acknowledges_nothing(client, payments, action_id):
    esc = escalation_create(
        actor=None,
        request=EscalationRequest(bug_id="BUG-6", services=["Payment"], channel_id="C_BUGS"),
    ).escalation
    press = interaction(action_id, str(esc.pk), "U_ALICE")
    assert signed_post(client, "/slack/interactions/", press).json()["text"] == "Unknown action."
    assert Escalation.objects.get(pk=esc.pk).status == "open"


@pytest.mark.parametrize(
    ("action_id", "text"),
    [
        ("override_approve", "That override no longer exists."),
        ("escalation_ack", ":no_entry: No such escalation."),
    ],
)
def test_a_button_sent_without_a_value_is_answered_not_refused(client, payments, action_id, text):
    payload = json.loads(interaction(action_id, "", "U_LEAD")["payload"])
    del payload["actions"][0]["value"]
    response = signed_post(client, "/slack/interactions/", {"payload": json.dumps(payload)})
    assert response.status_code == 200
    assert response.json()["text"] == text


@pytest.mark.parametrize("value", ["deleted", "not-an-id"])
def test_a_button_for_an_override_that_is_gone_says_so(client, payments, value):
    if value == "deleted":
        override = OverrideFactory(team=payments)
        value = str(override.pk)
        override.delete()
    press = interaction("override_approve", value, "U_LEAD")
    response = signed_post(client, "/slack/interactions/", press)
    assert response.status_code == 200
    assert response.json()["text"] == "That override no longer exists."


def test_pressing_acknowledge_again_names_who_acknowledged_first(client, payments):
    esc = escalation_create(
        actor=None,
        request=EscalationRequest(bug_id="BUG-5", services=["Payment"], channel_id="C_BUGS"),
    ).escalation
    first = interaction("escalation_ack", str(esc.pk), "U_ALICE")
    assert signed_post(client, "/slack/interactions/", first).status_code == 200
    again = interaction("escalation_ack", str(esc.pk), "U_LEAD")
    reply = signed_post(client, "/slack/interactions/", again).json()["text"]
    assert reply == "Acknowledged by <@U_ALICE>."
    assert Escalation.objects.get(pk=esc.pk).acknowledged_by == "U_ALICE"
