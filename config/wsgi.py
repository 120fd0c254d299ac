import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# Behind the edge (deploy/nginx), its misses of current public tiles are answered before Django's
# request handling: the tile's SQL and nothing else (layers.edgepath). Everything else is Django's.
from layers.edgepath import EdgeMisses  # noqa: E402 (needs the apps loaded above)

application = EdgeMisses(django_application)

# The web server never runs with DEBUG off and the development key (sessions and CSRF tokens would
# be forgeable); settings refuse it only when DEBUG=0 is explicit, so manage.py and tests still run.
if not settings.DEBUG and settings.INSECURE_SECRET_KEY:
    raise ImproperlyConfigured(settings.SECRET_KEY_REFUSED)
