from django.apps import AppConfig

from oncall_project.base.errors import register_engine_error
from schedules.domain import DomainError as EngineError


class SchedulesConfig(AppConfig):
    name = "schedules"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The engine's refusals of stored data are 409s and page messages, not 500s.
        register_engine_error(EngineError)
