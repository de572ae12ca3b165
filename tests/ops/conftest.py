"""The ops tests use the session-wide real Celery worker from tests/conftest.py."""
