"""The audit log as people and clients read it: the viewer page, a team's history tab and
/audit-logs/. They show teams, services and escalations beside the entries, so they live in the
wiring, above every app; the audit app below stays a leaf that imports none."""
