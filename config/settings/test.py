"""The pytest suite (`make test`)."""

import os
import tempfile

# Without REDIS_URL the broker is a folder: tests get their own, never the one `make run`'s
# worker reads (it would run the tasks the tests queued, against the development data).
if not os.environ.get("REDIS_URL") and "CELERY_BROKER_DIR" not in os.environ:
    os.environ["CELERY_BROKER_DIR"] = tempfile.mkdtemp(prefix="fourscore-test-broker-")

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-a-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Serve static files from the finders, as in development (no collectstatic for tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
