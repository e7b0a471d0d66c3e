"""The base every app stands on, below all of them: it imports no app.

Errors, the write helpers (validate and save, snapshot and diff), who acts (`Actor`), the model
base, Slack ids and the Slack client, JSON input limits, the API frame, what pages and the
admin share, and the notification outbox (`oncall_project.base.outbox`)."""
