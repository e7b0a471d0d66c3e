from django.apps import AppConfig


class OncallProjectConfig(AppConfig):
    name = "oncall_project"
    verbose_name = "On-call"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save
        from knox.models import get_token_model

        from oncall_project.tokens import token_or_user_changed

        # However a token or user changes (the token actions, the admin, a deleted user's
        # tokens going with it), every process checks its verified tokens afresh.
        for model in (get_user_model(), get_token_model()):
            post_save.connect(token_or_user_changed, sender=model, dispatch_uid="tokens.changed")
            post_delete.connect(token_or_user_changed, sender=model, dispatch_uid="tokens.deleted")
