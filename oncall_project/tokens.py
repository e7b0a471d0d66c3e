"""API tokens for machine clients. knox stores only a hash; the token is shown once."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from knox.models import AbstractAuthToken, get_token_model

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.api import verified_tokens
from oncall_project.base.errors import InvalidInput, NotFound


@transaction.atomic
def api_token_create(*, name: str, staff: bool = False) -> tuple[AbstractBaseUser, str]:
    """A new token for the user named `name`, created without a password if new (it never logs
    in to pages). `staff` makes the user staff; it never takes staff away."""
    user_model = get_user_model()
    try:
        user_model._meta.get_field(user_model.USERNAME_FIELD).clean(name, None)
    except ValidationError as exc:
        raise InvalidInput(f"'{name}' is not a valid username: {' '.join(exc.messages)}") from exc
    user, created = user_model.objects.get_or_create(**{user_model.USERNAME_FIELD: name})
    if created:
        user.set_unusable_password()
    if staff:
        user.is_staff = True
    if created or staff:
        user.save()
    instance, token = get_token_model().objects.create(user=user)
    # Who got a token and when; never the token (knox keeps only its hash and an 8-char prefix).
    record(
        AuditEvent(
            entity_type=EntityType.API_TOKEN,
            entity_id=instance.token_key,
            action=AuditAction.CREATED,
            actor=None,
            changes={
                "user": {"old": None, "new": user.get_username()},
                "is_staff": {"old": None, "new": user.is_staff},
            },
        )
    )
    return user, token


@transaction.atomic
def api_token_revoke(*, token: AbstractAuthToken, actor: Actor | None) -> None:
    """Revoke `token`: it stops authenticating at once. Audited by its key, never its secret."""
    locked = get_token_model().objects.select_for_update().filter(pk=token.pk).first()
    if locked is None:
        raise NotFound(f"API token {token.token_key} was already revoked.")
    username = locked.user.get_username()
    locked.delete()  # refused by every process at its next request: the delete's signal
    # makes them check their tokens afresh (token_or_user_changed)
    record(
        AuditEvent(
            entity_type=EntityType.API_TOKEN,
            entity_id=locked.token_key,
            action=AuditAction.REVOKED,
            actor=actor,
            changes={"user": {"old": username, "new": None}},
        )
    )


def token_or_user_changed(sender, *, update_fields=None, **kwargs) -> None:
    """A user or token saved or deleted: every process checks the tokens it verified afresh. A
    sign-in's `last_login` alone changes nothing a token check reads."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    verified_tokens.forget_all()
