"""Settings for the test suite: fast hashing, immediate tasks, in-memory mail and cache."""

from config.base import *  # noqa: F403
from config.base import REST_FRAMEWORK

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never prod
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    # The real queue, for tests of the worker: task.using(backend="database").
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "10000/minute"},
}
STATIC_ROOT = None  # type: ignore[assignment]  # tests serve static from the apps
WHITENOISE_USE_FINDERS = True
PEELIAN_STATISTICS_CACHE_SECONDS = 0  # tests see the data they just wrote
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
