"""Request bodies over the limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 1 MB): 413 before anything is
read or written, in the API's error shape under /api/ and as a plain page elsewhere."""

import json

import pytest
import requests
from django.conf import settings

from oncall_project.tokens import api_token_create
from tests.api_support import assert_error, client_for, nothing_changes
from tests.factories import TeamFactory
from tests.page_support import client_for as page_client_for

OVERSIZED = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


def oversized_service() -> str:
    body = json.dumps({"name": "Big", "metadata": {"runbook": ""}})
    return body.replace('""', '"' + "x" * (OVERSIZED - len(body)) + '"')


@pytest.mark.django_db
def test_an_oversized_api_body_is_a_413_in_the_error_shape_and_writes_nothing():
    staff = client_for("staff")
    body = oversized_service()
    assert len(body.encode()) == OVERSIZED
    with nothing_changes():
        response = staff.generic("POST", "/api/v1/services/", body, "application/json")
    error = assert_error(response, 413)
    assert "1.0 MB" in error["detail"]


@pytest.mark.django_db
def test_a_body_at_the_limit_is_read():
    team = TeamFactory(slug="payments")
    body = json.dumps({"name": "Payment", "team": "payments", "tech_stack": "go"})
    response = client_for("staff").generic(
        "POST",
        "/api/v1/services/",
        body.ljust(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        "application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["team"]["id"] == str(team.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/services/new/", "/admin/login/", "/accounts/login/"])
def test_an_oversized_form_is_a_plain_413_page(path):
    form = {"name": "Big", "description": "x" * OVERSIZED}
    client = page_client_for("staff")
    with nothing_changes():
        response = client.post(path, form)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b"larger than the 1.0" in response.content


@pytest.mark.django_db(transaction=True)
def test_an_oversized_body_sent_over_http_is_answered_413(live_server):
    _, token = api_token_create(name="bot", staff=True)
    response = requests.post(
        f"{live_server.url}/api/v1/services/",
        data=oversized_service().encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is larger than")


@pytest.mark.django_db
def test_with_no_limit_set_a_body_of_any_size_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # Django's "no limit"
    TeamFactory(slug="payments")
    body = json.dumps({"name": "Payment", "team": "payments", "tech_stack": "go"})
    response = client_for("staff").generic(
        "POST", "/api/v1/services/", body.ljust(OVERSIZED), "application/json"
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_a_length_that_is_no_number_is_no_reason_to_refuse():
    # Django reads no body it cannot size: the request is answered as one without a body.
    response = client_for("staff").get("/api/v1/me/", CONTENT_LENGTH="lots")
    assert response.status_code == 200
    assert response.json()["is_staff"] is True
