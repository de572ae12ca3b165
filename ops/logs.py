"""Structured logs: one JSON object per line, for requests, jobs and reminders.

Other apps log through the named loggers below, passing their fields as `extra`:

    import logging
    jobs_log = logging.getLogger("yinzhou.jobs")
    jobs_log.info("reminders sent", extra={"job": "reminders.jobs.send_due", "sent": 12})

No personal data beyond a username: never pass names, phone numbers, e-mail addresses or IPs.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

REQUESTS = "yinzhou.requests"
JOBS = "yinzhou.jobs"
REMINDERS = "yinzhou.reminders"

# Attributes every LogRecord has; anything else came in through `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 (PermissionDenied) is an answer, not a fault: Django logs it as a warning with the
    exception's traceback; keep the one line ("Forbidden (Permission denied): /path") and drop the
    traceback. Other warnings and errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
