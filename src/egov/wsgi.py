import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
application = get_wsgi_application()
# Import every app's URLs, views and API now, as a worker boots: Django would do it on the
# worker's first request, which then took about a second (signing, PDF and Excel modules).
get_resolver().url_patterns  # noqa: B018
