from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "oncall_project.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery signal receivers: the request id into tasks, task failures counted, the
        # watchdog thread in workers and beats.
        from oncall_project.ops import celery_hooks  # noqa: F401
