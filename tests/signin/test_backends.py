"""A session signed in to pages stays signed in only while its user may sign in: a user
deactivated since is signed out at their next request."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from teams.actions import person_link

PASSWORD = "the-right-pass-1"


@pytest.fixture
def carol(db):
    return get_user_model().objects.create_user("carol", password=PASSWORD)


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_user_deactivated_since_signing_in_is_signed_out_at_their_next_page(carol):
    client = signed_in("carol")
    assert client.get("/").status_code == 200
    carol.is_active = False
    carol.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_a_signed_in_request_reads_the_user_with_their_person_in_one_query(
    carol, django_assert_num_queries
):
    person_link(user=carol, slack_user_id="U_CAROL", actor=None)
    client = signed_in("carol")
    with django_assert_num_queries(2):  # the session, then the user with their person
        body = client.get("/api/v1/me/").json()
    assert body["username"] == "carol"
