import json
import logging

import pytest
from django.urls import reverse

from ops.logs import JOBS, JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(JsonFormatter().format(record))

    handler = Collect()
    loggers = [logging.getLogger(name) for name in ("yinzhou.requests", JOBS)]
    for logger in loggers:
        logger.addHandler(handler)
    yield lines
    for logger in loggers:
        logger.removeHandler(handler)


def test_each_request_is_one_json_line_with_the_username_and_no_address_or_query(client, liaison, json_lines):
    client.force_login(liaison)
    client.get(reverse("reports:task_list"), {"q": "张三 13800000000"}, REMOTE_ADDR="10.1.2.3")
    entry = json.loads(json_lines[-1])
    assert entry["logger"] == "yinzhou.requests"
    assert entry["method"] == "GET" and entry["path"] == "/tasks/" and entry["status"] == 200
    assert entry["username"] == "yjj"
    assert isinstance(entry["duration_ms"], float)
    assert "10.1.2.3" not in json_lines[-1] and "13800000000" not in json_lines[-1]


def test_anonymous_requests_log_an_empty_username(client, json_lines):
    client.get(reverse("login"))
    assert json.loads(json_lines[-1])["username"] == ""


def test_jobs_log_their_fields_as_json(json_lines):
    logging.getLogger(JOBS).info("reminders sent", extra={"job": "reminders.send", "sent": 3})
    entry = json.loads(json_lines[-1])
    assert entry["message"] == "reminders sent" and entry["sent"] == 3 and entry["level"] == "INFO"


def test_a_403_is_logged_once_as_one_line_without_a_traceback(client, liaison, caplog):
    from django.conf import settings

    django_logger = logging.getLogger("django")
    # Django's own console handler (DEBUG) is replaced by ours, and nothing goes to the root twice.
    assert settings.LOGGING["loggers"]["django"] == {"handlers": ["console"], "level": "INFO", "propagate": False}
    assert not django_logger.propagate
    assert len([h for h in django_logger.handlers if type(h) is logging.StreamHandler]) == 1
    client.force_login(liaison)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("reports:review_queue")).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage().startswith("Forbidden (Permission denied): /review/")
    assert record.exc_info is None


def test_a_server_error_keeps_its_traceback():
    from ops.logs import ForbiddenWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, "", 0, "Internal Server Error", (), sys.exc_info())
    record.status_code = 500
    assert ForbiddenWithoutTraceback().filter(record) and record.exc_info is not None
