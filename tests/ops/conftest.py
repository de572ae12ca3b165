"""A real Celery worker (celery.contrib.pytest) running the project's app against the test Redis db."""

import pytest
from celery.contrib.pytest import celery_includes, celery_worker, celery_worker_pool  # noqa: F401 (fixtures)


@pytest.fixture
def celery_app():
    import celery.contrib.testing.tasks  # noqa: F401 (registers celery.ping, which start_worker expects)

    from yinzhou_campaign.celery import app

    app.control.purge()  # nothing left over from an earlier run on this Redis db
    return app


@pytest.fixture(scope="session")
def celery_worker_parameters():
    # No result backend in this project, so the worker's start-up ping cannot be answered.
    return {"perform_ping_check": False, "shutdown_timeout": 10}
