"""Signing in with a username and password, loading the user with their directory entry."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PersonBackend(ModelBackend):
    """ModelBackend that reads the signed-in user together with their person (Slack identity,
    name, time zone) in the one query each request makes for the user: every page needs the
    person for who acts and for the viewer's time zone."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("person")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
