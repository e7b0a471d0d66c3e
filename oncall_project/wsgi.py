import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")
get_wsgi_application()  # sets Django up

from oncall_project.hot_first import Application  # noqa: E402

# The bot's plain lookups first, through the middleware they need; everything else as ever.
application = Application()
