import functools
import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def password_reset_available() -> bool:
    return bool(settings.EMAIL_HOST)


class SignInView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "reset_available": password_reset_available()}


def locked_out(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (pages and admin): the sign-in page saying
    why it refuses, and for how long."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = (
        "Too many failed sign-ins for this account or from your address. Signing in is paused "
        f"for {minutes} minutes after the last attempt; an administrator can lift it sooner."
    )
    context = {
        "form": AuthenticationForm(request),
        "locked_out": message,
        "next": request.POST.get("next", ""),
        "reset_available": password_reset_available(),
    }
    return render(request, "registration/login.html", context, status=429)


def needs_email(view):
    """Password reset sends email: without email configured, its pages do not exist."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not password_reset_available():
            raise Http404("Password reset needs email, which this server does not have.")
        return view(request, *args, **kwargs)

    return wrapper
