"""Password reset sends email: its pages are served, and linked from the sign-in page, only
where email is configured (EMAIL_HOST)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

RESET_PAGES = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
]


@pytest.fixture
def email_configured(settings):
    settings.EMAIL_HOST = "smtp.example.com"


@pytest.mark.django_db
def test_without_email_the_reset_pages_are_404_and_not_linked(client):
    for path in RESET_PAGES:
        assert client.get(path).status_code == 404, path
    assert client.post("/accounts/password_reset/", {"email": "a@example.com"}).status_code == 404
    assert "password_reset" not in client.get("/accounts/login/").content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_with_email_the_sign_in_page_links_a_reset_that_works(email_configured):
    user = get_user_model().objects.create_user("alice", "alice@example.com", "old-pass-1")
    client = Client()
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()

    sent = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert sent.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-pass-42", "new_password2": "a-new-pass-42"},
    )
    assert done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("a-new-pass-42")
