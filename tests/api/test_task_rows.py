"""The task list's flat rows (api.serializers.task_row) are TaskSerializer's output, field for field."""

import pytest

from api import selectors
from api.serializers import TaskSerializer, task_row
from reports.models import ProgressReport
from reports.services import report_review
from reports.status import set_status
from tests.api.conftest import TODAY
from tests.reports.pages_helpers import task_named, write_report

pytestmark = pytest.mark.django_db


def test_every_task_s_row_is_what_the_serializer_writes(campaign, liaison, office_user, designate):
    # A few states beyond the annex's defaults: completed (approved), reported, overdue, ongoing.
    report = write_report(liaison, task_named(campaign, "5.6"), status="completed", percent=100)
    report_review(user=office_user, report=ProgressReport.objects.get(pk=report.pk), decision="approve")
    write_report(liaison, task_named(campaign, "7.5"))
    today = TODAY.date()
    tasks = set_status(list(selectors.tasks_with_facts(today=today, campaign=campaign)), today=today)
    assert len(tasks) == 72 and {t.state for t in tasks} >= {"completed", "overdue"}
    for task in tasks:
        assert task_row(task, today=today) == TaskSerializer(task, context={"today": today}).data, task.key


def test_the_rows_keep_the_serializer_s_field_order(campaign):
    today = TODAY.date()
    task = set_status(list(selectors.tasks_with_facts(today=today, campaign=campaign)[:1]), today=today)[0]
    row, serialized = task_row(task, today=today), TaskSerializer(task, context={"today": today}).data
    assert list(row) == list(serialized)
    assert list(row["deadline"]) == list(serialized["deadline"])
