"""Signing in, in a real browser: a locked-out sign-in says why and for how long."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, page_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submit(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_locked_out_sign_in_says_why_even_to_the_right_password(open_page, artifacts):
    get_user_model().objects.create_user("alice", password=PASSWORD)
    page = open_page(width=390, height=844)
    page.goto("/accounts/login/")
    for n in range(settings.AXES_FAILURE_LIMIT):
        submit(page, "alice", f"guess-{n}")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many failed sign-ins for this account or from your address")
    submit(page, "alice", PASSWORD)
    expect(alert).to_contain_text("paused for 15 minutes")
    assert page.url.endswith("/accounts/login/")
    assert page_problems(page) == {}
    page.screenshot(path=artifacts / "sign-in-locked-out.png", full_page=True)
