"""Territorio Abierto settings: one flat module, every knob an environment variable.

Every variable is listed in `.env.example` and in the README. Bad values stop the
process at start-up with a message naming the variable instead of failing later.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused below when DEBUG is off


def env(name: str, default: str = "") -> str:
    """The variable's value; unset and empty both mean "use the default" (as in .env.example)."""
    return os.environ.get(name, "").strip() or default


def envbool(name: str, default: str) -> bool:
    value = env(name, default).lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Off unless asked for: `make run` sets DEBUG=1 for the development server. The production server
# (scripts/serve.sh), manage.py commands and the test suite run without Django's debug pages.
DEBUG = envbool("DEBUG", "0")
# A deployment says DEBUG=0 out loud (docker-compose.yml, .env.example): then TLS-only cookies,
# HSTS and hashed static files are the defaults and the development SECRET_KEY is refused here.
# With DEBUG unset those stay relaxed (a checkout, the tests), but config/wsgi.py still refuses
# to serve HTTP with the development key whenever DEBUG is off.
DEPLOYED = not DEBUG and env("DEBUG") != ""
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET)
INSECURE_SECRET_KEY = SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50
SECRET_KEY_REFUSED = "SECRET_KEY must be set to a random string of 50+ characters when DEBUG=0"  # noqa: S105
if DEPLOYED and INSECURE_SECRET_KEY:
    raise ImproperlyConfigured(SECRET_KEY_REFUSED)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = env("SITE_NAME", "Territorio Abierto")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gis_core",
    "priority_zones",
    "works_map",
    "growth",
    "layers",
    "participation",
    "budget",
    "planning",
    "outbox",
    "consultations",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # TRACE/CONNECT and NUL characters refused before anything runs (gis_core.http).
    "gis_core.http.RequestHygieneMiddleware",
    # Anonymous GET/HEAD requests may read from the replicas (DATABASE_REPLICA_URLS; no-op without).
    "gis_core.replicas.ReplicaReadsMiddleware",
    # Public tiles are answered here (from the cache or rendered), before the document headers,
    # sessions, locale and auth.
    "layers.middleware.PublicTileMiddleware",
    # Content-Security-Policy on every other response (settings below; django-csp). A policy and
    # frame options govern documents; a tile is data (gis_core.http.tile_response exempts it).
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gis_core.http.SpanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gis_core.http.DatabaseErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL wins. Without it we use the project-local cluster that `make run` / `make test`
# start under .local/ (unix socket, port LOCAL_PG_PORT), so manage.py works with no setup.
LOCAL_DIR = Path(env("LOCAL_DIR", str(BASE_DIR / ".local")))
LOCAL_PG_PORT = envint("LOCAL_PG_PORT", 5433, 1024, 65535)
DB_STATEMENT_TIMEOUT_MS = envint("DB_STATEMENT_TIMEOUT_MS", 30000, 0, 3_600_000)
# That limit protects web workers. manage.py marks its commands (the import worker, load_reference,
# load_budget, load_demo...) as batch processes: one of their statements (a whole register's totals,
# a purge) may rightly run longer, so they take BATCH_STATEMENT_TIMEOUT_MS instead (0: no limit).
BATCH_STATEMENT_TIMEOUT_MS = envint("BATCH_STATEMENT_TIMEOUT_MS", 0, 0, 86_400_000)
BATCH_PROCESS = os.environ.get("TERRITORIO_BATCH_PROCESS") == "1"
STATEMENT_TIMEOUT_MS = BATCH_STATEMENT_TIMEOUT_MS if BATCH_PROCESS else DB_STATEMENT_TIMEOUT_MS

if env("DATABASE_URL"):
    _db = dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=envint("DB_CONN_MAX_AGE", 60, 0))
    if not _db.get("ENGINE", "").endswith(("postgis", "postgresql")):
        raise ImproperlyConfigured(
            "DATABASE_URL must point to PostgreSQL/PostGIS (postgres:// or postgis://)"
        )
else:
    _db = {
        "NAME": env("LOCAL_PG_DB", "territorio"),
        "USER": "postgres",
        "HOST": str(LOCAL_DIR / "run"),
        "PORT": str(LOCAL_PG_PORT),
        "CONN_MAX_AGE": 60,
    }
_db["ENGINE"] = "django.contrib.gis.db.backends.postgis"
_db.setdefault("OPTIONS", {})
# A runaway query is cut by the server instead of holding a connection (answered 503 by the app).
_db["OPTIONS"]["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
# Reused connections are checked (one `SELECT 1` per request that queries) so a database restart
# costs no failed request.
_db["CONN_HEALTH_CHECKS"] = envbool("DB_CONN_HEALTH_CHECKS", "1")
_db["TEST"] = {"NAME": env("TEST_DATABASE_NAME", f"test_{_db['NAME']}")}
DATABASES = {"default": _db}
# Streaming replicas for public reads (gis_core.replicas): anonymous GET/HEAD requests read from
# them, everything else (writes, staff sessions, read-after-write, commands, the worker) from the
# primary. A replica that refuses a connection is skipped for REPLICA_RETRY_SECONDS.
DATABASE_REPLICA_URLS = envlist("DATABASE_REPLICA_URLS", "")
REPLICA_RETRY_SECONDS = envint("REPLICA_RETRY_SECONDS", 30, 1, 3600)
REPLICA_CONNECT_TIMEOUT = envint("REPLICA_CONNECT_TIMEOUT", 2, 1, 60)
for _i, _url in enumerate(DATABASE_REPLICA_URLS):
    _replica = dj_database_url.parse(_url, conn_max_age=envint("DB_CONN_MAX_AGE", 60, 0))
    if not _replica.get("ENGINE", "").endswith(("postgis", "postgresql")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must list PostgreSQL/PostGIS URLs")
    _replica["ENGINE"] = _db["ENGINE"]
    _replica["OPTIONS"] = {
        **_replica.get("OPTIONS", {}),
        "options": _db["OPTIONS"]["options"],
        "connect_timeout": REPLICA_CONNECT_TIMEOUT,
    }
    _replica["CONN_HEALTH_CHECKS"] = _db["CONN_HEALTH_CHECKS"]
    # The test runner makes no database for a replica: it reads the test database it streams.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_i}"] = _replica
DATABASE_REPLICA_ALIASES = [f"replica_{i}" for i in range(len(DATABASE_REPLICA_URLS))]
DATABASE_ROUTERS = ["gis_core.replicas.ReplicaRouter"] if DATABASE_REPLICA_URLS else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
REDIS_TIMEOUT_MS = envint("REDIS_TIMEOUT_MS", 500, 10, 60000)
REDIS_RETRY_SECONDS = envint("REDIS_RETRY_SECONDS", 10, 1, 3600)
# A Redis that is down or hung costs a cache call at most REDIS_TIMEOUT_MS (a miss), never a hang:
# without socket timeouts a frozen node blocked every request. After such a timeout or a refused
# connection the cache is skipped (a miss) for REDIS_RETRY_SECONDS, so a hung node costs one
# request one timeout, not every request several (gis_core.redis_breaker).
REDIS_CACHE_OPTIONS = {
    "CONNECTION_POOL_CLASS": "gis_core.redis_breaker.BreakerConnectionPool",
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_MS / 1000,
    "SOCKET_TIMEOUT": REDIS_TIMEOUT_MS / 1000,
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
            "TIMEOUT": envint("CACHE_TIMEOUT", 86400, 0),
        }
    }
    # Sessions read from Redis and written through to the database: any app host serves any staff
    # member, and a Redis restart logs nobody out (the cache ignores its errors, the rows remain).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": envint("CACHE_TIMEOUT", 86400, 0),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/cuenta/entrar/"
LOGIN_REDIRECT_URL = "/planeacion/"
LOGOUT_REDIRECT_URL = "/"
# Failed logins per username + client address before the login form answers 429 (planning.auth).
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = 15 * 60
# The import worker (manage.py run_import_worker) beats this often; /health calls it stale when
# its last beat is older than WORKER_STALE_SECONDS.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 10, 1, 3600)
WORKER_STALE_SECONDS = envint("WORKER_STALE_SECONDS", 60, 2, 86400)
# --- Outgoing messages (outbox): e-mail now, WhatsApp replies through the same queue ---------
# The worker sends them outside the request; without EMAIL_HOST e-mail goes to the console.
EMAIL_HOST = env("EMAIL_HOST", "")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 587, 1, 65535)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "1" if EMAIL_HOST else "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 15, 1, 300)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Territorio Abierto <no-responder@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Send at commit instead of waiting for the worker (development convenience; tests set it).
OUTBOX_SEND_IMMEDIATELY = envbool("OUTBOX_SEND_IMMEDIATELY", "0")
# A failed attempt is retried after OUTBOX_RETRY_SECONDS, doubling, at most an hour apart.
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 8, 1, 100)
OUTBOX_RETRY_SECONDS = envint("OUTBOX_RETRY_SECONDS", 30, 1, 3600)
# Sent and failed messages (recipients already erased) are deleted after this many days.
OUTBOX_RETENTION_DAYS = envint("OUTBOX_RETENTION_DAYS", 30, 1, 3650)

# A working day; staff sessions end with the browser too.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files ---------------------------------------------------------------------------
# MapLibre and other front-end packages come from npm (package.json + lock) and are served by
# Django itself, so no page ever reaches a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/maplibre-gl", BASE_DIR / "node_modules" / "maplibre-gl" / "dist"),
    # OpenLayers for the admin's geometry widget (gis_core.widgets); its ol.css comes from the finder below.
    ("vendor/ol", BASE_DIR / "node_modules" / "ol" / "dist"),
    # The PMTiles protocol for MapLibre (layers.pmtiles archives).
    ("vendor/pmtiles", BASE_DIR / "node_modules" / "pmtiles" / "dist"),
    # Drawing tools of the planner's map (planning, static/js/planner.js).
    ("vendor/terra-draw", BASE_DIR / "node_modules" / "terra-draw" / "dist"),
    (
        "vendor/terra-draw-maplibre-gl-adapter",
        BASE_DIR / "node_modules" / "terra-draw-maplibre-gl-adapter" / "dist",
    ),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "gis_core.staticfiles.NodeModulesFinder",
]
WHITENOISE_USE_FINDERS = not DEPLOYED
# Uploaded and generated files (photos, import uploads, PMTiles archives) go through Django's
# storage API, so several app hosts share them: MEDIA_STORAGE=filesystem (MEDIA_ROOT, a directory
# every host mounts) or s3 (any S3-compatible object store, django-storages).
MEDIA_STORAGE = env("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not env("MEDIA_S3_BUCKET"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("MEDIA_S3_BUCKET"),
            # Unset: AWS itself; else the store's URL (MinIO, Ceph, a provider's S3 endpoint).
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env("MEDIA_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance role).
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "location": env("MEDIA_S3_PREFIX", ""),
            # Private objects, handed out through signed URLs that expire.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": envint("MEDIA_S3_URL_SECONDS", 3600, 60, 604800),
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, got {MEDIA_STORAGE!r}")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not DEPLOYED
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# --- GIS ------------------------------------------------------------------------------------
GTO_SHARED_DATA = Path(env("GTO_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")))
# Optional explicit library paths, for hosts where ctypes cannot find them.
if env("GDAL_LIBRARY_PATH"):
    GDAL_LIBRARY_PATH = os.environ["GDAL_LIBRARY_PATH"]
if env("GEOS_LIBRARY_PATH"):
    GEOS_LIBRARY_PATH = os.environ["GEOS_LIBRARY_PATH"]
# The most vertices a drawn query area (POST /api/summary, /api/summaries/need) may have: every
# vertex costs SQL time, and a drawing needs far fewer (a zone pasted by staff has its own cap).
MAX_DRAWN_VERTICES = envint("MAX_DRAWN_VERTICES", 20_000, 4, 1_000_000)
# Seconds nginx or a CDN keeps the public documents that name the current data version (TileJSON,
# style.json, summaries: Cache-Control s-maxage); versioned tiles are kept a day.
EDGE_CACHE_SECONDS = envint("EDGE_CACHE_SECONDS", 10, 0, 3600)
# Layers the map reads from PMTiles archives (manage.py export_pmtiles) instead of live tiles, while
# the archive of the layer's current version exists: any of municipios, localidades, agebs.
PMTILES_LAYERS = envlist("PMTILES_LAYERS", "")
BASEMAP_URL = env("BASEMAP_URL", "")
BASEMAP_ATTRIBUTION = env("BASEMAP_ATTRIBUTION", "© OpenStreetMap contributors")

# --- Open data ------------------------------------------------------------------------------
# GeoPackage, Shapefile, FlatGeobuf, GeoParquet and KML are written to a temporary file before they
# are sent; a request selecting more features than this is refused (GeoJSON, CSV and OC4IDS stream).
EXPORT_MAX_FEATURES = envint("EXPORT_MAX_FEATURES", 200_000, minimum=1)
# A FlatGeobuf's spatial index makes GDAL hold every feature (about 1 kB a work) until the file is
# sorted; a larger selection is written without the index, in flat memory.
EXPORT_FGB_INDEX_MAX = envint("EXPORT_FGB_INDEX_MAX", 100_000, minimum=0)
# OC4IDS project ids start with a prefix registered with CoST ("oc4ids-" + 6 characters).
OC4IDS_PREFIX = env("OC4IDS_PREFIX", "oc4ids-gtota1")
if not re.fullmatch(r"oc4ids-[a-z0-9]{6}", OC4IDS_PREFIX):
    raise ImproperlyConfigured(
        f"OC4IDS_PREFIX must be 'oc4ids-' and 6 lowercase letters or digits, got {OC4IDS_PREFIX!r}"
    )
# Who publishes the open data and under which licence: the downloads, the OC4IDS packages and the
# catalogue (/datos/, DCAT-US /datos/catalogo.json) all say the same. The default licence is Mexico's
# open-data licence (Libre Uso MX); INEGI's boundaries and census keep INEGI's terms.
OPEN_DATA_PUBLISHER = env("OPEN_DATA_PUBLISHER", SITE_NAME)
OPEN_DATA_LICENSE = env("OPEN_DATA_LICENSE", "https://datos.gob.mx/libreusomx")
OPEN_DATA_POLICY_URL = env("OPEN_DATA_POLICY_URL", "")
OPEN_DATA_CONTACT_NAME = env("OPEN_DATA_CONTACT_NAME", OPEN_DATA_PUBLISHER)
# DCAT contactPoint.hasEmail, shown on /datos/; DCAT-US harvesters require it: set it in production.
OPEN_DATA_CONTACT_EMAIL = env("OPEN_DATA_CONTACT_EMAIL", "")

# --- Citizen participation (participation app) ------------------------------------------------
# Accepted reports per address and per e-mail inside the window (seconds); past it, a 429.
PARTICIPATION_RATE_PER_ADDRESS = envint("PARTICIPATION_RATE_PER_ADDRESS", 5, minimum=1)
PARTICIPATION_RATE_PER_EMAIL = envint("PARTICIPATION_RATE_PER_EMAIL", 3, minimum=1)
PARTICIPATION_RATE_WINDOW = envint("PARTICIPATION_RATE_WINDOW", 3600, minimum=60)
# Photos: at most this many per report, each at most this many bytes as sent; stored re-encoded with
# its longer side at most PARTICIPATION_PHOTO_MAX_SIDE pixels. A committee's acta: a PDF up to the limit.
PARTICIPATION_MAX_PHOTOS = envint("PARTICIPATION_MAX_PHOTOS", 3, 0, 10)
PARTICIPATION_PHOTO_MAX_BYTES = envint("PARTICIPATION_PHOTO_MAX_BYTES", 8 * 1024 * 1024, minimum=10_000)
PARTICIPATION_PHOTO_MAX_SIDE = envint("PARTICIPATION_PHOTO_MAX_SIDE", 1600, 200, 8000)
PARTICIPATION_ACTA_MAX_BYTES = envint("PARTICIPATION_ACTA_MAX_BYTES", 10 * 1024 * 1024, minimum=10_000)
# --- Consultations and follows (consultations) -----------------------------------------------
# This site's public address: the links in the e-mails the worker sends (it has no request to ask).
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")
# How often the worker compares followed works with their last figures and queues the digests.
FOLLOW_DIGEST_SECONDS = envint("FOLLOW_DIGEST_SECONDS", 3600, 60, 7 * 86400)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["works_map.api.base.FilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Territorio Abierto API",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Problem responses (400/404/503) and the plain Django views under /api/ (works_map.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "works_map.api.schema.document_errors_and_plain_views",
    ],
    # Several models have a `kind` or `level`; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "GovernmentLevelEnum": "works_map.models.GovernmentLevel",
        "CategoryLevelEnum": "works_map.models.Category.Level",
        "WorkKindEnum": "works_map.models.Work.Kind",
        "AgencyKindEnum": "works_map.models.Agency.Kind",
        "ZoneKindEnum": "priority_zones.models.Zone.Kind",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS-terminating proxy in production; all of these can be relaxed by env for local use.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(DEPLOYED))
# A load balancer or `docker compose` probes /health over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(DEPLOYED))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(DEPLOYED))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if DEPLOYED else 0, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
if envbool("USE_X_FORWARDED_PROTO", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Paths whose errors (400, 403, 404, 413, 500, 503) are RFC 9457 problem+json instead of HTML pages.
API_PATH_PREFIXES = ("/api/", "/ogc/", "/tiles/")
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024, 1024)

# Content-Security-Policy (django-csp 4). Scripts only from this site, never inline (the pages keep
# their data in <script type="application/json"> and their code in static files). MapLibre starts
# its workers from blob: URLs (worker-src, and child-src for older browsers). Styles allow
# 'unsafe-inline': the admin and a few templates use style attributes, and a style cannot run code.
# The basemap's host (BASEMAP_URL), when set, is the only other origin: MapLibre fetches its tiles.
_basemap = urlsplit(BASEMAP_URL.replace("{", "").replace("}", "")) if BASEMAP_URL else None
_BASEMAP_ORIGIN = [f"{_basemap.scheme}://{_basemap.netloc}"] if _basemap and _basemap.netloc else []
# PMTiles archives on S3 are fetched by the browser from the store (signed URLs).
_media = urlsplit(env("MEDIA_S3_ENDPOINT_URL")) if MEDIA_STORAGE == "s3" else None
_MEDIA_ORIGIN = [f"{_media.scheme}://{_media.netloc}"] if _media and _media.netloc else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_BASEMAP_ORIGIN],
        "connect-src": ["'self'", *_BASEMAP_ORIGIN, *_MEDIA_ORIGIN],
        "worker-src": ["'self'", "blob:"],
        "child-src": ["'self'", "blob:"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# gis.W001: Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial reference
# strings. User input never reaches GDAL as an SRS string: importers resolve CRSs to EPSG codes
# from a closed list (gis_core.geometry). Remove this line on hosts with GDAL >= 3.9.
SILENCED_SYSTEM_CHECKS = [
    "gis.W001",
    # security.W021: joining the browsers' HSTS preload list is a one-way decision for the whole
    # domain, so it stays opt-in (SECURE_HSTS_PRELOAD=1) rather than a deploy warning.
    "security.W021",
]

# --- Chat: WhatsApp Business Cloud API and the web chat (chat app) ------------------------------
WHATSAPP_TOKEN = env("WHATSAPP_TOKEN", "")
WHATSAPP_APP_SECRET = env("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = env("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = env("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_API_BASE = env("WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0").rstrip("/")
# Approved message template (by name) for notices outside the 24-hour customer-service window.
WHATSAPP_TEMPLATE_UPDATE = env("WHATSAPP_TEMPLATE_UPDATE", "")
WHATSAPP_TEMPLATE_LANGUAGE = env("WHATSAPP_TEMPLATE_LANGUAGE", "es_MX")
# Signed payloads whose message timestamp is older than this are refused as replays.
WHATSAPP_REPLAY_WINDOW_SECONDS = envint("WHATSAPP_REPLAY_WINDOW_SECONDS", 300, 30, 86400)
# Links in chat answers point at SITE_URL (the public address of the site, set above).
CHAT_INACTIVE_DAYS = envint("CHAT_INACTIVE_DAYS", 365, 1, 3650)
# Child growth screening (growth app): the questionnaire file in use, the privacy notice caregivers
# consent to, how long records are kept after the child turns five, and when a new measurement is due.
GROWTH_SCREENING_VERSION = env("GROWTH_SCREENING_VERSION", "2026.1")
GROWTH_PRIVACY_NOTICE_VERSION = env("GROWTH_PRIVACY_NOTICE_VERSION", "2026-01")
GROWTH_RETENTION_YEARS = envint("GROWTH_RETENTION_YEARS", 2, 0, 20)
GROWTH_REMEASURE_DAYS = envint("GROWTH_REMEASURE_DAYS", 90, 7, 730)
# Off at state scale: writes then leave the public growth figures to `manage.py growth_refresh_units`.
GROWTH_REFRESH_ON_WRITE = envbool("GROWTH_REFRESH_ON_WRITE", "1")
