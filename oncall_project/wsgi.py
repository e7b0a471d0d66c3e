import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")
get_wsgi_application()  # sets Django up

from oncall_project.hot_first import Application  # noqa: E402

# The bot's plain lookups first, through the middleware they need; everything else as ever.
application = Application()

# What is loaded by now lives as long as the process: moved out of the collector's sight, a
# full collection no longer walks all of Django in the middle of a request (tens of ms).
gc.freeze()
