"""The machine's practical ceiling for `make bench-api`: a bare WSGI app, no framework, served by
the same gunicorn with the same workers as the product.

Per request it does what any authenticated lookup must: the token check our API makes (knox's:
the token's row and its user's by the token's first 15 characters, the SHA-512 of the token
compared with the stored digest in constant time, the user active, the token not expired) and
one indexed query on the same data (an active service by lower(name), its team joined), answered
as JSON. One psycopg connection per worker, kept open, as the product's DB_CONN_MAX_AGE does.

gunicorn bench.api_bare:app   (DATABASE_URL names the benchmark's database)
"""

import datetime
import hashlib
import hmac
import json
import os
from urllib.parse import parse_qs

import psycopg

TOKEN_KEY_LENGTH = 15
TOKEN_QUERY = (
    "SELECT t.digest, t.expiry, u.is_active FROM knox_authtoken t "
    "JOIN auth_user u ON u.id = t.user_id WHERE t.token_key = %s"
)
SERVICE_QUERY = (
    "SELECT s.id, s.name, s.service_owner, s.primary_oncall, t.name, t.slug, "
    "t.oncall_engineer, t.slack_group_id FROM services_service s "
    "LEFT JOIN teams_team t ON t.id = s.team_id WHERE lower(s.name) = lower(%s) AND s.is_active"
)
_connection: psycopg.Connection | None = None


def _cursor() -> psycopg.Cursor:
    global _connection  # one per worker process, opened at first use
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection.cursor()


def _authenticated(header: str) -> bool:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "token" or not token:
        return False
    digest = hashlib.sha512(token.encode()).hexdigest()
    with _cursor() as cursor:
        rows = cursor.execute(TOKEN_QUERY, (token[:TOKEN_KEY_LENGTH],)).fetchall()
    now = datetime.datetime.now(datetime.UTC)
    return any(
        hmac.compare_digest(digest, stored) and active and (expiry is None or expiry > now)
        for stored, expiry, active in rows
    )


def _respond(start_response, status: str, body: bytes) -> list[bytes]:
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]


def app(environ, start_response):
    if not _authenticated(environ.get("HTTP_AUTHORIZATION", "")):
        return _respond(start_response, "401 Unauthorized", b'{"detail":"Invalid token."}')
    name = parse_qs(environ.get("QUERY_STRING", "")).get("service", [""])[0]
    with _cursor() as cursor:
        row = cursor.execute(SERVICE_QUERY, (name,)).fetchone()
    if row is None:
        return _respond(start_response, "404 Not Found", b'{"detail":"No such service."}')
    keys = ("id", "service", "service_owner", "primary_oncall", "team", "slug", "engineer", "group")
    body = json.dumps(dict(zip(keys, (str(row[0]), *row[1:]), strict=True)))
    return _respond(start_response, "200 OK", body.encode())
