"""Under /accounts/: Django's sign-in pages, with the sign-in page of our own and password reset
only where email is configured."""

from django.contrib.auth import views as auth_views
from django.urls import path

from oncall_project.signin.views import SignInView, needs_email

ACCOUNT_PAGES = [
    ("login/", SignInView, "login"),
    ("logout/", auth_views.LogoutView, "logout"),
    ("password_change/", auth_views.PasswordChangeView, "password_change"),
    ("password_change/done/", auth_views.PasswordChangeDoneView, "password_change_done"),
]
PASSWORD_RESET_PAGES = [
    ("password_reset/", auth_views.PasswordResetView, "password_reset"),
    ("password_reset/done/", auth_views.PasswordResetDoneView, "password_reset_done"),
    ("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView, "password_reset_confirm"),
    ("reset/done/", auth_views.PasswordResetCompleteView, "password_reset_complete"),
]

urlpatterns = [path(route, view.as_view(), name=name) for route, view, name in ACCOUNT_PAGES] + [
    path(route, needs_email(view.as_view()), name=name)
    for route, view, name in PASSWORD_RESET_PAGES
]
