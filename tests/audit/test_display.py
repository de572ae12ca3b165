"""The audit log reads in plain Chinese, the same on the page, in the Excel file and on the task page."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.display import ACTION_LABELS, action_label, present
from audit.models import AuditEntry
from audit.services import log_action
from reports.governance.services import supervision_open
from indicators.models import ValueAction
from reminders.models import ChaseKind
from reports.models import ExtensionState, VersionAction
from tasks.models import Task

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "migrations", "node_modules", "bench"}
CALL = re.compile(r"log_actions?\(\s*(?P<args>.{0,200}?)(?:user=|obj=|items=|data=|\))", re.S)
LITERAL = re.compile(r"(?P<f>f?)\"(?P<code>[a-z_]+\.[a-z_.{}]+)\"")
# The codes built at run time, by what they expand to.
DYNAMIC = {
    "reports.report.{action}": [f"reports.report.{a}" for a in VersionAction.values],
    "reports.extension.{extension.state}": [f"reports.extension.{s}" for s in ExtensionState.values if s != "pending"],
    "{obj._meta.label_lower}.{verb}_in_admin": [],  # named by audit.display's admin rule
    "reminders.chase.{kind}": [f"reminders.chase.{k}" for k in ChaseKind.values],
    "indicators.value.{action}": [f"indicators.value.{a}" for a in ValueAction.values],
}


def _codes_in_source() -> set[str]:
    codes = set()
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts) or path.name == "display.py":
            continue
        for call in CALL.finditer(path.read_text(encoding="utf-8")):
            for literal in LITERAL.finditer(call["args"]):
                code = literal["code"]
                if literal["f"]:
                    assert code in DYNAMIC, f"{path}: new computed action code {code!r}: list its values here"
                    codes.update(DYNAMIC[code])
                else:
                    codes.add(code)
    return codes


def test_every_action_written_anywhere_has_a_chinese_label():
    codes = _codes_in_source()
    assert {"reports.supervision.opened", "reports.report.returned", "tasks.duty.assigned"} <= codes  # the scan works
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert missing == []
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in ACTION_LABELS.values())


def test_admin_actions_read_as_verb_and_model():
    assert action_label("departments.unit.changed_in_admin") == "后台修改单位"
    assert action_label("reminders.workingdayoverride.created_in_admin").startswith("后台新增")
    assert action_label("something.unknown") == "something.unknown"


pytestmark = pytest.mark.django_db


def test_objects_are_named_as_people_name_them(campaign, liaison, office_user):
    task = Task.objects.get(campaign=campaign, key="7.4")
    assert present(log_action("tasks.task.changed", user=office_user, obj=task)).object == "任务 7.4"
    liaison.full_name = "张三"
    assert present(log_action("departments.user.changed", user=office_user, obj=liaison)).object == "区应急管理局 · 张三(联络员)"


def test_old_entries_with_djangos_default_name_still_read(office_user):
    entry = AuditEntry.objects.create(
        action="reports.extension.approved", object_type="reports.extensionrequest", object_id="2",
        object_repr="ExtensionRequest object (2)", data={"task": "7.4", "approved_date": "2027-03-31", "comment": ""},
    )
    row = present(entry)
    assert (row.action, row.object) == ("批准延期", "延期申请 · 任务 7.4")
    assert row.details == ["任务:7.4", "批准的完成时限:2027-03-31", "意见:—"]


def test_changed_fields_read_old_to_new_and_secrets_never_show(office_user):
    entry = log_action("dashboard.weights.changed", user=office_user, data={"changes": [
        {"field": "报送被退回(每份扣分)", "old": "1.00", "new": "2.00"},
        {"field": "群机器人地址", "secret": True},
    ]})
    assert present(entry).details == ["报送被退回(每份扣分):1.00 → 2.00", "群机器人地址:已修改"]


def _page_rows(client, **params):
    return client.get(reverse("audit:log"), params).context["rows"]


def test_the_page_the_excel_file_and_the_task_page_say_the_same(client, office_user, campaign):
    task = Task.objects.get(campaign=campaign, key="7.4")
    supervision_open(user=office_user, task=task, level=2, instruction="请月底前整改到位",
                     respond_by=datetime.date(2026, 12, 20))
    client.force_login(office_user)
    [row] = _page_rows(client, action="reports.supervision.opened")
    assert (row.actor, row.action, row.object) == ("office(区安委办)", "发起督办", "任务 7.4 · 督办")
    assert row.details == ["任务:7.4", "督办等级:督办", "答复时限:2026-12-20"]
    page = client.get(reverse("audit:log"), {"action": "reports.supervision.opened"}).content.decode()
    assert "发起督办" in page and "reports.supervision.opened</code>" not in page and "{" not in page.split("<tbody>")[1].split("</tbody>")[0]

    response = client.get(reverse("audit:export"), {"action": "reports.supervision.opened"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c.value for c in sheet[2]]
    assert cells[1:5] == [row.actor, row.action, row.object, "\n".join(row.details)]

    history = client.get(reverse("reports:task_detail", args=[campaign.pk, "7.4"])).context["history"]
    same = next(h for h in history if h.entry.pk == row.entry.pk)
    assert (same.actor, same.action, same.object, same.details) == (row.actor, row.action, row.object, row.details)


def test_the_filter_menus_offer_chinese_names(client, office_user, campaign):
    log_action("reports.supervision.opened", user=office_user, obj=campaign)
    client.force_login(office_user)
    form = client.get(reverse("audit:log")).context["form"]
    assert ("reports.supervision.opened", "发起督办") in form.fields["action"].choices
    assert ("tasks.campaign", "行动方案") in form.fields["object_type"].choices
