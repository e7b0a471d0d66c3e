"""On-call pages: the dashboard and lookups (`oncall`), a team's schedules and overrides tabs
(`team_tabs`) and its rotation tab (`rotation`)."""
