"""`manage.py runserver` as `make run` uses it: listed first in INSTALLED_APPS so that its
command is the one Django runs (it wraps whitenoise's, which wraps Django's)."""
