from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "oncall_project.signin"
    label = "signin"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from oncall_project.signin.receivers import audit_lockout

        user_locked_out.connect(audit_lockout, dispatch_uid="signin.audit_lockout")
