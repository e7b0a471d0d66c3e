from django.core.servers.basehttp import WSGIServer
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as NoStaticRunserverCommand,
)

# Django's dev server keeps 10 connections waiting to be accepted. A burst of clients overflows
# that, and the kernel drops their connection attempts: each waits a second or more to retry.
# gunicorn keeps 2048; the embedded stack keeps this many.
LISTEN_BACKLOG = 1024


class BurstTolerantWSGIServer(WSGIServer):
    request_queue_size = LISTEN_BACKLOG


class Command(NoStaticRunserverCommand):
    server_cls = BurstTolerantWSGIServer
