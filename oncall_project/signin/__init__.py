"""Signing in to pages and the admin: the sign-in page, sign-in throttling (django-axes) with its
lockout page and audit entry, and password reset where email is configured."""
