"""Dated steps inside tasks (阶段目标): seeded from the annex's words, and an overdue one turns its task red."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from reports.periods import period_last_due
from reports.status import Rag, annotate_task_status
from tasks.models import Task, TaskMilestone
from tasks.seeding import MILESTONES_PATH, milestones_seed
from tasks.services import milestone_reach, milestone_reopen

MILESTONES = json.loads(MILESTONES_PATH.read_text(encoding="utf-8"))["milestones"]


@pytest.mark.django_db
@pytest.mark.parametrize("entry", MILESTONES, ids=[f"{m['task']}@{m['due_date']}" for m in MILESTONES])
def test_each_step_is_the_annex_text_of_its_task_and_dated_by_the_year_it_names(campaign, entry):
    task = Task.objects.get(campaign=campaign, key=entry["task"])
    assert entry["text"] in task.content
    year = entry["due_date"][:4]
    assert entry["text"].startswith(f"{year}年") or f"{year}年底前" in entry["text"]
    assert entry["due_date"] == f"{year}-12-31"
    assert datetime.date.fromisoformat(entry["due_date"]) <= task.deadline_date


@pytest.mark.django_db
def test_the_seed_creates_the_steps_once_and_keeps_the_offices_edits(campaign):
    assert TaskMilestone.objects.filter(task__campaign=campaign).count() == len(MILESTONES) == 12
    steps = TaskMilestone.objects.filter(task__key="4.2").order_by("order")
    assert [(s.due_date.isoformat(), s.text) for s in steps] == [
        ("2024-12-31", "2024年危化品、工矿、道路运输、特种设备等高危行业领域企业100%建立"),
        ("2025-12-31", "2025年规上企业100%建立"),
    ]
    TaskMilestone.objects.filter(task__key="4.2", order=2).delete()
    assert milestones_seed(campaign=campaign) == 0  # 4.2 still has a step: the office's edit stays
    TaskMilestone.objects.filter(task__key="4.2").delete()
    assert milestones_seed(campaign=campaign) == 2


def rag_of(campaign, key, today):
    tasks = annotate_task_status(
        Task.objects.filter(campaign=campaign, key=key), today=today, last_due_period=period_last_due(campaign, today)
    )
    return tasks.get().rag


@pytest.mark.django_db
def test_an_overdue_step_turns_its_task_red_until_the_office_confirms_it(campaign, office_user, liaison):
    # 8.4 is due 2026年底; its 2025 step (评估) passed on 2025-12-31.
    before, after = datetime.date(2025, 12, 31), datetime.date(2026, 1, 1)
    assert rag_of(campaign, "8.4", before) != Rag.RED
    assert rag_of(campaign, "8.4", after) == Rag.RED
    step = TaskMilestone.objects.get(task__key="8.4", order=1)
    with pytest.raises(PermissionDenied):
        milestone_reach(user=liaison, milestone=step, note="已完成评估")
    with pytest.raises(ValidationError):
        milestone_reach(user=office_user, milestone=step, note=" ")
    milestone_reach(user=office_user, milestone=step, note="见区应急管理局 2025Q4 报送:评估报告")
    assert rag_of(campaign, "8.4", after) != Rag.RED
    assert AuditEntry.objects.filter(action="tasks.milestone.reached").exists()
    milestone_reopen(user=office_user, milestone=step, reason="评估报告未覆盖全部企业")
    assert rag_of(campaign, "8.4", after) == Rag.RED


@pytest.mark.django_db
def test_the_status_query_count_does_not_grow_with_steps(campaign, django_assert_num_queries):
    today = datetime.date(2026, 12, 3)
    last_due = period_last_due(campaign, today)
    with django_assert_num_queries(1):
        list(annotate_task_status(Task.objects.filter(campaign=campaign), today=today, last_due_period=last_due))
    TaskMilestone.objects.bulk_create(
        TaskMilestone(task=t, order=10 + i, due_date=datetime.date(2025, 6, 30), text="测试阶段")
        for t in Task.objects.filter(campaign=campaign)
        for i in range(3)
    )
    with django_assert_num_queries(1):
        rags = {t.rag for t in annotate_task_status(Task.objects.filter(campaign=campaign), today=today, last_due_period=last_due)}
    assert Rag.RED in rags
