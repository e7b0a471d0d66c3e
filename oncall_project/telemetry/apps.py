from django.apps import AppConfig


class TelemetryConfig(AppConfig):
    name = "oncall_project.telemetry"
    label = "telemetry"
    verbose_name = "Telemetry"
