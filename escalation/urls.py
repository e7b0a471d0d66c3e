from django.urls import path

from escalation.slack_views import slack_command, slack_interaction

urlpatterns = [
    path("commands/", slack_command, name="slack-command"),
    path("interactions/", slack_interaction, name="slack-interaction"),
]
