"""Pages that span apps (the team list and overview, the members tab, "who is on call for…"),
and the URLs of every page (`urls`): each app's own pages and these, in the apps' namespaces."""
