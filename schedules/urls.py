"""On-call pages: dashboard, my schedule, fairness, a team's schedules, overrides and
rotation tabs, and the iCal feeds."""

from django.urls import path

from schedules import ical
from schedules.views import member_preview, oncall, rotation, team_tabs

urlpatterns = [
    path("", oncall.dashboard, name="dashboard"),
    path("me/schedule/", oncall.my_schedule, name="my-schedule"),
    path("fairness/", oncall.fairness_report, name="fairness"),
    path("teams/<slug:slug>/schedules/", team_tabs.schedules, name="schedules"),
    path(
        "teams/<slug:slug>/schedules/<uuid:pk>/edit/", team_tabs.schedule_edit, name="schedule-edit"
    ),
    path(
        "teams/<slug:slug>/schedules/<uuid:pk>/delete/",
        team_tabs.schedule_delete,
        name="schedule-delete",
    ),
    path("teams/<slug:slug>/overrides/", team_tabs.overrides, name="overrides"),
    path(
        "teams/<slug:slug>/overrides/<uuid:pk>/decide/",
        team_tabs.override_decide,
        name="override-decide",
    ),
    path(
        "teams/<slug:slug>/members/preview/",
        member_preview.member_add_preview,
        name="member-add-preview",
    ),
    path(
        "teams/<slug:slug>/members/<slug:slack_user_id>/preview/",
        member_preview.member_preview,
        name="member-preview",
    ),
    path(
        "teams/<slug:slug>/members/<slug:slack_user_id>/remove/confirm/",
        member_preview.member_remove_confirm,
        name="member-remove-confirm",
    ),
    path("teams/<slug:slug>/rotation/", rotation.rotation, name="rotation"),
    path("teams/<slug:slug>/rotation/preview/", rotation.rotation_preview, name="rotation-preview"),
    path(
        "teams/<slug:slug>/rotation/generate/", rotation.rotation_generate, name="rotation-generate"
    ),
    path("ical/team/<slug:slug>.ics", ical.team_feed, name="ical-team"),
    path("ical/user/<str:slack_user_id>.ics", ical.person_feed, name="ical-user"),
]
