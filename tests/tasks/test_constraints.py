"""Database constraints hold even when code forgets the rules."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from departments.models import Unit
from tasks.models import AssignmentRole, DeadlineKind, Task, TaskAssignment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_key_is_unique_per_campaign(campaign):
    task = Task.objects.get(campaign=campaign, key="7.2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            campaign=campaign,
            measure=task.measure,
            number=2,
            content="重复的任务",
            deadline_kind=DeadlineKind.ONGOING,
            deadline_text="常态化",
        )


def test_a_task_cannot_lose_its_last_lead_unit(campaign):
    task = Task.objects.get(campaign=campaign, key="8.2")
    with pytest.raises(IntegrityError, match="no lead unit"), transaction.atomic():
        TaskAssignment.objects.filter(task=task, role=AssignmentRole.LEAD).delete()
    assert task.assignments.filter(role=AssignmentRole.LEAD).count() == 1


def test_a_lead_cannot_be_turned_into_a_supporter_if_it_is_the_only_one(campaign):
    task = Task.objects.get(campaign=campaign, key="8.2")
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskAssignment.objects.filter(task=task).update(role=AssignmentRole.SUPPORT)


def test_a_task_created_without_a_lead_is_rolled_back(campaign):
    measure = Task.objects.get(campaign=campaign, key="7.5").measure
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            campaign=campaign,
            measure=measure,
            number=9,
            content="没有牵头单位的任务",
            deadline_kind=DeadlineKind.ONGOING,
            deadline_text="常态化",
        )
    assert not Task.objects.filter(campaign=campaign, key="7.9").exists()


def test_a_task_created_with_a_lead_in_the_same_transaction_is_kept(campaign):
    measure = Task.objects.get(campaign=campaign, key="7.5").measure
    with transaction.atomic():
        task = Task.objects.create(
            campaign=campaign,
            measure=measure,
            number=6,
            content="新增任务",
            deadline_kind=DeadlineKind.FIXED,
            deadline_date=datetime.date(2026, 12, 31),
            deadline_text="2026年底",
        )
        TaskAssignment.objects.create(task=task, unit=Unit.objects.get(name="区应急管理局"), role=AssignmentRole.LEAD)
    assert Task.objects.get(pk=task.pk).key == "7.6"


def test_deleting_a_whole_task_is_allowed(campaign):
    Task.objects.filter(campaign=campaign, key="8.2").delete()
    assert not Task.objects.filter(campaign=campaign, key="8.2").exists()


def test_a_fixed_deadline_needs_a_date(campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(campaign=campaign, key="8.2").update(deadline_date=None)


def test_an_ongoing_task_has_no_date(campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(campaign=campaign, key="1.1").update(deadline_date=datetime.date(2025, 1, 1))


def test_a_unit_is_named_once_per_task(campaign):
    task = Task.objects.get(campaign=campaign, key="8.2")
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskAssignment.objects.create(task=task, unit=Unit.objects.get(name="区农业农村局"), role=AssignmentRole.SUPPORT)
