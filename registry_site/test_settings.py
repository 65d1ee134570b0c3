"""Settings for the test suite: the production settings with test-only secrets and plain HTTP."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-production")

from .settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Static files come from the finders in tests; there is no collected STATIC_ROOT to serve.
STATIC_ROOT = None
# The suite makes far more calls from one address and one user than a real client; the
# throttling tests set their own low rates.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "user": "100000/minute",
    "failed_auth": "100000/minute",
}
