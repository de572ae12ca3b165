"""Fixtures for the reminder tests: named users with e-mail, a clock, and a local robot server."""

from __future__ import annotations

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def travel():
    """travel(date) → the clock stands at 08:30 Asia/Shanghai on that day until the test ends."""
    travellers = []

    def go(day: datetime.date):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(datetime.datetime.combine(day, datetime.time(8, 30), SHANGHAI), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def yjj(liaison):
    """区应急管理局's liaison, with an e-mail address."""
    liaison.email = "yjj@example.gov.cn"
    liaison.full_name = "张联络"
    liaison.save(update_fields=["email", "full_name"])
    return liaison


@pytest.fixture
def office(office_user):
    office_user.email = "office@example.gov.cn"
    office_user.save(update_fields=["email"])
    return office_user


class RobotServer:
    """A DingTalk-style robot on 127.0.0.1: records each JSON body; answers `status`."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                server.received.append(json.loads(self.rfile.read(length).decode("utf-8")))
                body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/robot/send?access_token=test"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def robot():
    server = RobotServer()
    yield server
    server.close()


class SmtpServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd): records each message it accepts."""

    def __init__(self) -> None:
        import socket

        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], str]] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):  # noqa: N802
                from email import message_from_bytes
                from email.policy import default

                parsed = message_from_bytes(envelope.original_content or envelope.content, policy=default)
                body = parsed.get_body(preferencelist=("plain",))
                server.messages.append(
                    (list(envelope.rcpt_tos), str(parsed["subject"]).strip(), body.get_content() if body else "")
                )
                return "250 Message accepted for delivery"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def to(self, address: str) -> list[tuple[list[str], str, str]]:
        return [m for m in self.messages if address in m[0]]

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp(settings):
    """Django sends real SMTP to a local aiosmtpd server for the test (the worker thread too)."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.close()
