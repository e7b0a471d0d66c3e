from django.apps import AppConfig

from oncall_project.base.errors import register_engine_error
from schedules.domain import DomainError as EngineError


class SchedulesConfig(AppConfig):
    name = "schedules"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: the actions need the models, loaded only now (Django's order).
        from schedules.actions.rotation_config import rotation_follow_membership, rotation_snapshot
        from teams.rotation_hook import RotationFollower, register_rotation_follower

        # The engine's refusals of stored data are 409s and page messages, not 500s.
        register_engine_error(EngineError)
        # A membership or time-away change re-plans the rotation in its own transaction.
        register_rotation_follower(RotationFollower(rotation_snapshot, rotation_follow_membership))
