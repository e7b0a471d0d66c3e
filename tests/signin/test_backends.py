"""A session signed in to pages stays signed in only while its user may sign in: a user
deactivated since is signed out at their next request."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

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
