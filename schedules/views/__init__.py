"""On-call pages: the dashboard, my schedule and fairness (`oncall`), a team's schedules and
overrides tabs (`team_tabs`) and its rotation tab (`rotation`)."""
