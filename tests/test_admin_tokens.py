"""API tokens in the admin: listed without their digest, never created there, revoked through
the audited action."""

import threading

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.urls import NoReverseMatch
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditLog
from oncall_project.admin import ApiTokenAdmin
from oncall_project.base.errors import NotFound
from oncall_project.tokens import api_token_create, api_token_revoke
from tests.admin_support import admin_url, login_operator, messages_of
from tests.factories import StaffUserFactory
from tests.locks import someone_waits_on_a_lock


@pytest.fixture
def operator(client, db):
    return login_operator(client)


def authenticates(token: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    status = client.get("/api/v1/me/").status_code
    assert status in (200, 401), status
    return status == 200


def revoke(client, *keys: str, follow: bool = True):
    return client.post(
        admin_url(AuthToken, "changelist"),
        {"action": "revoke_selected", "index": "0", "_selected_action": list(keys)},
        follow=follow,
    )


def test_knox_stock_admin_is_replaced():
    assert isinstance(admin.site._registry[AuthToken], ApiTokenAdmin)


def test_the_admin_refuses_to_add_a_token(client, operator):
    index = client.get("/admin/")
    assert admin_url(AuthToken, "changelist") in index.content.decode()
    assert admin_url(AuthToken, "add") not in index.content.decode()
    assert client.get(admin_url(AuthToken, "add")).status_code == 403
    assert client.post(admin_url(AuthToken, "add"), {"user": operator.pk}).status_code == 403
    assert not AuthToken.objects.exists()


def test_the_list_names_tokens_by_key_and_user_and_never_shows_the_digest(client, operator):
    _user, token = api_token_create(name="bug-bot")
    row = AuthToken.objects.get()

    response = client.get(admin_url(AuthToken, "changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert row.token_key in page and "bug-bot" in page
    assert row.digest not in page and token not in page


def test_no_page_is_addressed_by_the_digest(client, operator):
    api_token_create(name="bug-bot")
    digest = AuthToken.objects.get().digest
    for view in ("change", "delete", "history"):
        with pytest.raises(NoReverseMatch):
            admin_url(AuthToken, view, digest)
    assert client.get(f"/admin/knox/authtoken/{digest}/change/").status_code == 404
    assert (
        client.post(f"/admin/knox/authtoken/{digest}/delete/", {"post": "yes"}).status_code == 404
    )
    assert AuthToken.objects.filter(digest=digest).exists()


def test_revoking_in_the_admin_is_audited_once_and_the_token_stops_working(client, operator):
    _user, token = api_token_create(name="bug-bot")
    _other_user, other = api_token_create(name="pager")
    key = AuthToken.objects.get(user__username="bug-bot").token_key
    assert authenticates(token)
    audited = AuditLog.objects.count()

    response = revoke(client, key)

    assert "Revoked 1 API token(s)." in messages_of(response)
    assert AuditLog.objects.count() == audited + 1
    row = AuditLog.objects.get(action="revoked")
    assert (row.entity_type, row.entity_id) == ("api_token", key)
    assert (row.actor_type, row.actor_id, row.metadata["source"]) == ("user", "ops", "admin")
    assert row.changes == {"user": {"old": "bug-bot", "new": None}}
    assert token not in str(row.changes) + str(row.metadata)
    assert not authenticates(token)
    assert authenticates(other)


def test_revoking_an_unknown_key_does_nothing(client, operator):
    _user, token = api_token_create(name="bug-bot")
    audited = AuditLog.objects.count()

    response = revoke(client, "not-a-token-key")

    assert "No such API token (already revoked?): nothing was done." in messages_of(response)
    assert AuditLog.objects.count() == audited
    assert authenticates(token)


def test_only_operators_who_may_delete_tokens_can_revoke(client, db):
    viewer = StaffUserFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_authtoken"))
    client.force_login(viewer)
    _user, token = api_token_create(name="bug-bot")

    response = client.get(admin_url(AuthToken, "changelist"))
    assert response.status_code == 200
    assert "revoke_selected" not in response.context["cl"].model_admin.get_actions(
        response.wsgi_request
    )
    revoke(client, AuthToken.objects.get().token_key)
    assert authenticates(token)


def test_api_token_revoke_twice_is_refused(db, staff_actor):
    api_token_create(name="bug-bot")
    row = AuthToken.objects.get()
    api_token_revoke(token=row, actor=staff_actor)
    with pytest.raises(NotFound):
        api_token_revoke(token=row, actor=staff_actor)
    assert AuditLog.objects.filter(action="revoked").count() == 1
    assert AuditLog.objects.get(action="revoked").actor_id == "ops-admin"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_revocations_of_one_token_at_once_revoke_and_audit_it_once(staff_actor):
    """The second waits for the first to commit, then finds the token gone."""
    api_token_create(name="bug-bot")
    row = AuthToken.objects.get()
    second = []

    def revoke_too() -> None:
        try:
            api_token_revoke(token=row, actor=staff_actor)
            second.append("revoked")
        except NotFound:
            second.append("refused")
        finally:
            connection.close()

    racing = threading.Thread(target=revoke_too)
    with transaction.atomic():
        api_token_revoke(token=row, actor=staff_actor)
        racing.start()
        waited = someone_waits_on_a_lock()  # the second revocation, on the first's row lock
    racing.join(timeout=10)
    assert waited
    assert second == ["refused"]
    assert AuditLog.objects.filter(action="revoked").count() == 1


def test_the_list_finds_a_token_by_its_key_or_its_user(client, operator):
    api_token_create(name="bug-bot")
    api_token_create(name="pager")
    key = AuthToken.objects.get(user__username="pager").token_key
    changelist = admin_url(AuthToken, "changelist")

    by_user = client.get(changelist, {"q": "bug-bot"}).context["cl"].result_list
    by_key = client.get(changelist, {"q": key}).context["cl"].result_list

    assert [t.user.username for t in by_user] == ["bug-bot"]
    assert [t.user.username for t in by_key] == ["pager"]
