"""django-axes tells of every sign-in it refuses; the lockout itself is audited once."""

from axes.helpers import get_failure_limit

from oncall_project.signin.actions import sign_in_lockout_record


def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    credentials = getattr(request, "axes_credentials", None)
    # axes signals each refused attempt; only the failure that reaches the limit starts a lockout.
    if failures != get_failure_limit(request, credentials):
        return
    sign_in_lockout_record(
        username=username or "",
        ip_address=ip_address,
        failures=failures,
        source="admin" if request.path.startswith("/admin/") else "page",
    )
