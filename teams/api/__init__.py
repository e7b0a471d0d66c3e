"""Teams and members over the REST API."""
