"""The notification outbox: every Slack message is written with the change that causes it
(`queue.enqueue`, in the caller's transaction) and delivered after commit by a Celery task
(`tasks.deliver_notification`), which owns the retries. Below every app that sends messages."""
