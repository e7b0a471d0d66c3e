"""The REST API's frame: one error shape, authentication and throttling, pagination, schema.

Endpoints live in each app (`<app>/api.py` or `<app>/api/`, URL lists in `<app>/api_urls.py`);
`oncall_project.api_urls` mounts them under /api/v1/."""
