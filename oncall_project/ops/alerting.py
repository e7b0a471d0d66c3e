"""Telling operators about a watchdog alert by paths that do not depend on what may be broken:
a direct Slack post (not the outbox, not a worker) and an email to ADMINS. Each path that is
configured is tried; the log line is always written."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import mail_admins

from oncall_project.base import slack
from oncall_project.telemetry.models import Alert

logger = logging.getLogger(__name__)


def text_of(alert: Alert) -> tuple[str, str]:
    """Subject and body."""
    if alert.firing:
        return f"On-call alert: {alert.name}", f":rotating_light: {alert.detail}"
    return f"On-call recovered: {alert.name}", f":white_check_mark: Recovered: {alert.detail}"


def to_slack(subject: str, body: str) -> bool | None:
    """None when no operations channel is configured."""
    if not (settings.OPS_SLACK_CHANNEL and slack.is_configured()):
        return None
    try:
        slack.post_message(channel=settings.OPS_SLACK_CHANNEL, text=f"*{subject}*\n{body}")
    except (slack.SlackRetryLater, slack.SlackRefused) as exc:
        logger.warning("Watchdog could not post to Slack: %s", exc)
        return False
    return True


def email_configured() -> bool:
    """An SMTP backend needs a host; any other backend (file, console, tests' memory) does not."""
    return bool(settings.EMAIL_HOST) or not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")


def to_admins(subject: str, body: str) -> bool | None:
    """None when no ADMINS, or no email, are configured."""
    if not (settings.ADMINS and email_configured()):
        return None
    try:
        mail_admins(subject, body, fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Watchdog could not email the admins: %s", exc)
        return False
    return True


def tell(alert: Alert) -> bool:
    """True when a configured path took it (or none is configured: the log is the path)."""
    subject, body = text_of(alert)
    log = logger.error if alert.firing else logger.warning
    log("%s: %s", subject, alert.detail, extra={"alert": alert.name, "firing": alert.firing})
    results = [to_slack(subject, body), to_admins(subject, body)]
    configured = [r for r in results if r is not None]
    return not configured or any(configured)
