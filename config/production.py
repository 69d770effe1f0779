"""Production settings: the base settings, hardened, and a refusal to start when unsafe.

Run ``peelian check --deploy`` with DJANGO_SETTINGS_MODULE=config.production before going live.
"""

from django.core.exceptions import ImproperlyConfigured

from config.base import *  # noqa: F403
from config.base import DATABASES, TASKS_BACKEND, env

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

_problems = []
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    _problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
if DEBUG:
    _problems.append("DEBUG must be off")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    _problems.append("ALLOWED_HOSTS must list the site's host names (no '*')")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" and not env.bool(
    "PEELIAN_ALLOW_SQLITE_IN_PRODUCTION", default=False
):
    _problems.append("DATABASE_URL must point at PostgreSQL (postgres://...)")
if TASKS_BACKEND == "immediate":
    _problems.append("TASKS_BACKEND=immediate runs tasks inside web requests; use 'database'")
if _problems:
    raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(_problems) + ".")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
