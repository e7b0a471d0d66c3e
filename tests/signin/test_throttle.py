"""Sign-in brute force: failed sign-ins are counted per username and per client address
(django-axes); past the limit, even the right password is refused until the cool-off ends, the
sign-in page says so, and the lockout is in the audit log. The admin's sign-in likewise."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client

from audit.models import AuditLog

PASSWORD = "the-right-pass-1"
ATTACKER, ELSEWHERE = "10.0.0.1", "10.0.0.2"
FORMS = {"/accounts/login/": "", "/admin/login/": "/admin/"}


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD, is_staff=True)


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", password=PASSWORD, is_staff=True)


def sign_in(username: str, password: str, address: str = ATTACKER, path="/accounts/login/"):
    """A fresh browser at `address` posting the sign-in form; the response and whether it is
    signed in afterwards."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": username, "password": password, "next": FORMS[path]})
    return response, "_auth_user_id" in client.session


def twelve_wrong_passwords(username: str = "alice", path: str = "/accounts/login/") -> list:
    return [sign_in(username, f"guess-{n}", path=path)[0].status_code for n in range(12)]


@pytest.mark.parametrize("path", FORMS)
def test_twelve_wrong_passwords_then_the_right_one_is_refused(alice, path):
    limit = settings.AXES_FAILURE_LIMIT
    assert twelve_wrong_passwords(path=path) == [200] * (limit - 1) + [429] * (13 - limit)
    response, signed_in = sign_in("alice", PASSWORD, path=path)
    assert (response.status_code, signed_in) == (429, False)
    page = response.content.decode()
    assert "Too many failed sign-ins for this account or from your address" in page
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page


def test_below_the_limit_the_right_password_signs_in(alice):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("alice", f"guess-{n}")
    response, signed_in = sign_in("alice", PASSWORD)
    assert (response.status_code, signed_in) == (302, True)


def test_the_lockout_is_per_username_and_per_address(alice, bob):
    twelve_wrong_passwords("alice")
    # Another user from another address is untouched...
    assert sign_in("bob", PASSWORD, address=ELSEWHERE)[1] is True
    # ...but the attacked username is locked from everywhere, and the attacking address for all.
    assert sign_in("alice", PASSWORD, address=ELSEWHERE)[0].status_code == 429
    assert sign_in("bob", PASSWORD, address=ATTACKER)[0].status_code == 429


def test_guessing_many_usernames_from_one_address_locks_the_address(alice, bob):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(f"user-{n}", "guess")
    assert sign_in("alice", PASSWORD)[0].status_code == 429
    assert sign_in("alice", PASSWORD, address=ELSEWHERE)[1] is True


@pytest.mark.parametrize("cool_off", [datetime.timedelta(minutes=15), datetime.timedelta(hours=2)])
def test_the_lockout_ends_after_the_configured_cool_off(alice, settings, cool_off):
    settings.AXES_COOLOFF_TIME = cool_off
    twelve_wrong_passwords()
    assert AuditLog.objects.get().metadata["cool_off_minutes"] == cool_off.seconds // 60
    age_attempts(cool_off - datetime.timedelta(minutes=1))
    # Still locked, saying for how long; and an attempt while locked starts the cool-off again.
    response = sign_in("alice", PASSWORD)[0]
    assert response.status_code == 429
    assert f"paused for {cool_off.seconds // 60} minutes" in response.content.decode()
    age_attempts(cool_off + datetime.timedelta(seconds=1))
    assert sign_in("alice", PASSWORD)[1] is True


def age_attempts(by: datetime.timedelta) -> None:
    """As if the failed attempts had been made `by` earlier."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


@pytest.mark.parametrize("path", FORMS)
def test_a_lockout_is_audited_once_with_the_username_and_address(alice, path):
    twelve_wrong_passwords(path=path)
    entry = AuditLog.objects.get()
    assert (entry.entity_type, entry.entity_id, entry.action) == ("account", "alice", "locked_out")
    assert (entry.actor_type, entry.actor_id) == ("system", "system")
    assert entry.metadata["ip"] == ATTACKER
    assert entry.metadata["source"] == ("admin" if path.startswith("/admin/") else "page")
    assert entry.metadata["failures"] == settings.AXES_FAILURE_LIMIT
    assert entry.changes == {"locked_out": {"old": False, "new": True}}


def test_signing_in_to_an_own_account_between_guesses_does_not_reset_the_count(alice, bob):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("alice", f"guess-{n}")
    assert sign_in("bob", PASSWORD)[1] is True  # the attacker's own account, same address
    sign_in("alice", "one-more-guess")
    assert sign_in("alice", PASSWORD, address=ELSEWHERE)[0].status_code == 429


def test_the_audit_viewer_shows_the_lockout_and_why(alice):
    twelve_wrong_passwords()
    viewer = Client()
    viewer.force_login(alice)
    page = viewer.get("/audit/").content.decode()
    assert "<strong>system</strong>\n    locked out account" in page
    assert f"{settings.AXES_FAILURE_LIMIT} failed sign-ins, the last as &#x27;alice&#x27;" in page


def test_a_lockout_is_audited_with_its_pause_and_a_long_username_cut_only_to_fit(db):
    username = "mallory-" + "x" * 92  # 100 characters: more than an audit entity id holds
    twelve_wrong_passwords(username)
    entry = AuditLog.objects.get()
    limit, minutes = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.seconds // 60
    assert entry.entity_id == username[:64]
    assert (entry.metadata["username"], entry.metadata["cool_off_minutes"]) == (username, minutes)
    assert entry.change_reason == (
        f"{limit} failed sign-ins, the last as {username!r} from {ATTACKER}; "
        f"signing in paused for {minutes} minutes."
    )


def test_the_lockout_page_keeps_where_the_person_was_going(alice):
    twelve_wrong_passwords()
    client = Client(REMOTE_ADDR=ATTACKER)
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/teams/"}
    )
    assert response.status_code == 429
    assert 'name="next" value="/teams/"' in response.content.decode()


def test_the_lockout_page_still_offers_a_password_reset_where_email_is_configured(alice, settings):
    settings.EMAIL_HOST = "smtp.example.com"
    twelve_wrong_passwords()
    response, _ = sign_in("alice", PASSWORD)
    assert response.status_code == 429
    assert 'href="/accounts/password_reset/"' in response.content.decode()
