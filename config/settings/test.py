"""The pytest suite (`make test`)."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-a-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Serve static files from the finders, as in development (no collectstatic for tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
