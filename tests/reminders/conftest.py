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
