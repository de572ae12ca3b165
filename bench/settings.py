"""Settings for the benchmark: the production settings (DEBUG off), on a PostgreSQL database of its own.

    BENCH_DATABASE=yz_bench  (default)  → postgres://postgres@127.0.0.1:5432/yz_bench
    BENCH_DATABASE_URL=postgres://…     → overrides the whole address

DEBUG stays off on purpose: with DEBUG on Django keeps every SQL query in memory, which
would slow the very pages we measure and grow the process.
"""

import os

_name = os.environ.get("BENCH_DATABASE", "yz_bench")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{_name}")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "b" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
# Its own cache database: the benchmark clears the cache, and must never flush a test run's broker.
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from yinzhou_campaign.settings import *  # noqa: E402,F403
