"""Test settings: the real settings, pointed at PostgreSQL and Redis on 127.0.0.1.

Only what a test run needs differs: a fast password hasher, plain static storage
(no collectstatic before tests), and uploads in a temporary folder.
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 60)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yinzhou_campaign")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Every test flushes the cache (tests/conftest.py): its own database, never a configured cache
# (CACHE_URL may point at a real one) nor the benchmark's broker (/14).
os.environ["CACHE_URL"] = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="yinzhou-test-media-"))  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Static files come from the finders (no collectstatic before tests).
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="yinzhou-test-static-"))  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
