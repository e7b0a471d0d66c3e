"""Text that is not valid Unicode (a lone surrogate, which JSON's \\u escapes can spell, or bytes
that are not UTF-8) and NUL characters, which no column can hold, are refused where they come in:
the API's JSON bodies, form bodies and query strings, JSON typed into forms, Slack's payloads
and the legacy import. A 400 names the field; nothing is written; nothing echoes the bad text."""

import hashlib
import hmac
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from oncall_project.base import slack_ids
from oncall_project.base.api.errors import api_exception_handler
from oncall_project.base.errors import InvalidInput
from services.models import Service
from teams.models import validate_timezone
from tests.admin_support import admin_url, form_data, form_errors, login_operator
from tests.api_support import assert_error, client_for, nothing_changes
from tests.escalation.test_slack_views import SECRET, interaction, signed_post
from tests.factories import MembershipFactory, OverrideFactory, ServiceFactory, TeamFactory
from tests.page_support import client_for as page_client_for
from tests.page_support import field_errors

LONE = "\ud800"


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments", overrides_require_approval=True)
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    return team


@pytest.fixture
def service(team):
    return ServiceFactory(name="Payment", team=team, metadata={"runbook": "https://r"})


@pytest.fixture
def staff(db):
    return client_for("staff")


def send(client, method: str, path: str, body) -> object:
    """The body as JSON text, a lone surrogate escaped as JSON allows (\\ud800)."""
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


# --- the API's JSON bodies -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("patch", "services/{service}/", {"metadata": {"x": LONE}}, "metadata"),
        ("patch", "services/{service}/", {"metadata": {LONE: "x"}}, "metadata"),
        ("patch", "services/{service}/", {"metadata": {"x": [{"y": f"a{LONE}"}]}}, "metadata"),
        ("patch", "services/{service}/", {"team": LONE}, "team"),
        ("patch", "services/{service}/", {"service_owner": LONE}, "service_owner"),
        ("patch", "teams/payments/", {"oncall_engineer": LONE}, "oncall_engineer"),
        ("patch", "teams/payments/", {"slack_group_id": LONE}, "slack_group_id"),
        ("patch", "teams/payments/", {"slack_channel_id": LONE}, "slack_channel_id"),
        ("patch", "teams/payments/", {"timezone": LONE}, "timezone"),
        ("patch", "teams/payments/", {"description": f"ok {LONE}"}, "description"),
        ("post", "teams/", {"name": LONE}, "name"),
        ("post", "teams/payments/members/", {"slack_user_id": LONE}, "slack_user_id"),
        ("patch", "teams/payments/members/U_ALICE/", {"display_name": LONE}, "display_name"),
        (
            "post",
            "teams/payments/oncall-schedules/",
            {"engineer_slack_id": LONE, "start_date": "2026-12-01", "end_date": "2026-12-02"},
            "engineer_slack_id",
        ),
        (
            "post",
            "teams/payments/oncall-overrides/",
            {"engineer_slack_id": "U_ALICE", "start_date": "2099-12-01"}
            | {"end_date": "2099-12-02", "reason": LONE},
            "reason",
        ),
        (
            "post",
            "escalations/",
            {"bug_id": "BUG-1", "services": ["Payment", LONE], "channel_id": "C_BUGS"},
            "services",
        ),
    ],
)
def test_a_lone_surrogate_in_a_body_is_a_400_naming_the_field(
    staff, service, method, path, body, field
):
    with nothing_changes():
        response = send(staff, method, "/api/v1/" + path.format(service=service.pk), body)
        errors = assert_error(response, 400, field)["errors"]
    assert "not valid Unicode" in errors[field][0]
    assert staff.get("/api/v1/services/").status_code == 200


def test_a_nul_character_is_refused_as_well(staff, service):
    with nothing_changes():
        response = send(
            staff, "patch", f"/api/v1/services/{service.pk}/", {"metadata": {"x": "\0"}}
        )
        assert "NUL" in assert_error(response, 400, "metadata")["errors"]["metadata"][0]


def test_a_body_that_is_not_utf8_is_a_400(staff, service):
    with nothing_changes():
        response = staff.patch(
            f"/api/v1/services/{service.pk}/",
            b'{"tech_stack": "\xed\xa0\x80"}',
            content_type="application/json",
        )
        assert_error(response, 400)


def test_astral_text_and_surrogate_pairs_are_text_like_any_other(staff, service):
    response = send(staff, "patch", f"/api/v1/services/{service.pk}/", {"tech_stack": "Go 🐹"})
    assert response.status_code == 200, response.content
    assert Service.objects.get(pk=service.pk).tech_stack == "Go 🐹"


# --- query strings and form bodies -----------------------------------------------------------

NOT_UTF8 = "%ED%A0%80"  # a surrogate as UTF-8 would spell it: no valid UTF-8


@pytest.mark.parametrize("path", ["/api/v1/services/", "/api/v1/teams/"])
def test_a_query_string_that_is_not_utf8_is_a_400_naming_the_parameter(staff, path):
    response = staff.get(path, QUERY_STRING=f"search={NOT_UTF8}")
    body = assert_error(response, 400, "search")
    assert body["detail"] == "search: Text that is not valid UTF-8."


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("sea%00rch=x", "sea\\0rch: Text with a NUL character, which cannot be stored."),
        (f"se{NOT_UTF8}=x", "se\ufffd\ufffd\ufffd: Text that is not valid UTF-8."),
        (f"={NOT_UTF8}", "(no name): Text that is not valid UTF-8."),
        ("my+search=%00", "my search: Text with a NUL character, which cannot be stored."),
    ],
    ids=["nul-in-name", "name-not-utf8", "no-name", "named-as-read"],
)
def test_a_parameter_whose_name_is_no_text_is_a_400_too(staff, query, detail):
    response = staff.get("/api/v1/services/", QUERY_STRING=query)
    assert assert_error(response, 400)["detail"] == detail


def test_a_query_string_with_a_nul_is_a_400_on_a_page_too(team):
    client = page_client_for("member", team)
    response = client.get("/services/", QUERY_STRING="search=a%00b")
    assert response.status_code == 400
    assert "search: Text with a NUL character" in response.content.decode()


def test_a_form_body_that_is_not_utf8_is_refused_and_saves_nothing(team):
    client = page_client_for("staff")
    body = f"name=Payments&timezone=UTC&description=caf{NOT_UTF8}"
    with nothing_changes():
        response = client.post(
            "/teams/payments/settings/", body, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400
    assert "description: Text that is not valid UTF-8." in response.content.decode()


def test_json_typed_into_a_page_form_is_checked_too(service):
    client = page_client_for("staff")
    with nothing_changes():
        response = client.post(
            f"/services/{service.pk}/edit/",
            {"name": "Payment", "tier": "standard", "metadata": '{"x": "\\ud800"}'},
        )
    assert "metadata" in field_errors(response)


def test_json_typed_into_the_admin_is_checked_too(client, service):
    login_operator(client)
    page = client.get(admin_url(Service, "change", service.pk))
    with nothing_changes():
        response = client.post(
            admin_url(Service, "change", service.pk), form_data(page, metadata='{"\\udfff": 1}')
        )
    assert "metadata" in form_errors(response)
    assert "\\udfff" in response.content.decode()  # what was typed, shown again as typed


# --- Slack ---------------------------------------------------------------------------------


@pytest.fixture
def signing_secret(settings):
    settings.SLACK_SIGNING_SECRET = SECRET


def test_a_slack_button_from_a_user_id_that_is_not_valid_unicode_is_a_400(
    client, team, signing_secret
):
    override = OverrideFactory(team=team)
    form = interaction("override_approve", str(override.pk), "U_LEAD")
    payload = json.loads(form["payload"])
    payload["user"]["id"] = LONE
    form["payload"] = json.dumps(payload)
    with nothing_changes():
        response = signed_post(Client(), "/slack/interactions/", form)
    assert response.status_code == 400
    assert b"user.id" in response.content


def test_a_slash_command_that_is_not_utf8_is_a_400(team, signing_secret):
    body = f"command=%2Foncall&text=pay{NOT_UTF8}"
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    response = Client().post(
        "/slack/commands/",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_SLACK_SIGNATURE=signature,
    )
    assert response.status_code == 400
    assert b"text: Text that is not valid UTF-8." in response.content


# --- messages that quote what was sent -----------------------------------------------------


@pytest.mark.parametrize(
    "validate",
    [
        slack_ids.validate_user_id,
        slack_ids.validate_group_id,
        slack_ids.validate_channel_id,
        validate_timezone,
    ],
)
def test_a_validator_quoting_bad_text_gives_a_message_that_can_be_sent(validate):
    with pytest.raises(ValidationError) as refused:
        validate(f"U{LONE}")
    message = refused.value.messages[0]
    assert "\\ud800" in message
    message.encode()


def test_the_api_error_shape_never_carries_text_it_cannot_encode():
    response = api_exception_handler(InvalidInput(f"bad {LONE}", {"x": [LONE]}), {})
    assert response.data == {"detail": "bad \\ud800", "errors": {"x": ["\\ud800"]}}
