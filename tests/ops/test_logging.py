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
