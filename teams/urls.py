"""Team pages of this app, under /teams/ (and the profile at /profile/); oncall_project.pages.urls
puts them in the `teams` namespace with the team pages that show on-call data."""

from django.urls import path

from teams import views

urlpatterns = [
    path("people/pick/", views.people_pick, name="people-pick"),
    path("profile/", views.profile, name="profile"),
    path("profile/details/", views.profile_details, name="profile-details"),
    path("profile/ical-reset/", views.profile_ical_reset, name="profile-ical-reset"),
    path("profile/link/<str:proof>/", views.profile_link, name="profile-link"),
    path("teams/new/", views.team_create, name="create"),
    path("teams/<slug:slug>/settings/", views.team_edit, name="edit"),
    path("teams/<slug:slug>/delete/", views.team_set_active, {"active": False}, name="delete"),
    path("teams/<slug:slug>/restore/", views.team_set_active, {"active": True}, name="restore"),
    path(
        "teams/<slug:slug>/members/<slug:slack_user_id>/edit/",
        views.member_edit,
        name="member-edit",
    ),
    path(
        "teams/<slug:slug>/members/<slug:slack_user_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path(
        "teams/<slug:slug>/away/<uuid:pk>/delete/",
        views.unavailability_delete,
        name="away-delete",
    ),
    path("teams/<slug:slug>/sync/", views.sync_from_slack, name="sync"),
    path("teams/<slug:slug>/ical-reset/", views.team_ical_reset, name="ical-reset"),
]
