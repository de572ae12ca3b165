"""The seeded task list equals the annex, item by item, and seeding again changes nothing."""

import datetime

import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from departments.models import Unit, UnitKind
from tasks.models import AssignmentRole, Campaign, Category, DeadlineKind, Measure, Task, TaskAssignment
from tasks.parsing import parse_deadline

from .annex_expected import EXPECTED_TASKS

pytestmark = pytest.mark.django_db

MEASURES = [
    (1, "源头防", "强化项目源头管控"),
    (2, "源头防", "落实分层分级分类纳管"),
    (3, "源头防", "夯实安全生产基层基础"),
    (4, "人防", "落实企业主体责任"),
    (5, "人防", "提升企业从业人员安全素养"),
    (6, "人防", "提升群防群治能力"),
    (7, "技防", "加大数字化运用力度"),
    (8, "技防", "加大工艺技术改造和设备更新力度"),
    (9, "技防", "加大科技研发攻关力度"),
    (10, "工程防", "推进生命保障工程"),
    (11, "工程防", "开展安全发展示范城区创建工程"),
    (12, "工程防", "深入推进“一件事”改革工程"),
    (13, "管理防", "规范隐患排查整治"),
    (14, "管理防", "推进安全生产标准化建设"),
    (15, "管理防", "提升安全生产执法能力"),
    (16, "管理防", "规范事故调查和信息报送"),
]


def test_it_seeds_five_categories_in_order(campaign):
    assert list(campaign.categories.order_by("number").values_list("name", flat=True)) == [
        "源头防",
        "人防",
        "技防",
        "工程防",
        "管理防",
    ]


def test_it_seeds_sixteen_measures_each_in_its_category(campaign):
    measures = Measure.objects.filter(campaign=campaign).select_related("category").order_by("number")
    assert [(m.number, m.category.name, m.title) for m in measures] == MEASURES
    assert str(measures.get(number=16)) == "(十六)规范事故调查和信息报送"


def test_it_seeds_72_tasks_with_printed_numbers(campaign):
    keys = list(Task.objects.filter(campaign=campaign).order_by("sort_order").values_list("key", flat=True))
    assert len(keys) == 72
    assert keys == [row[0] for row in EXPECTED_TASKS]
    # Measure (七) keeps the printed numbers 1, 2, 4, 5: nothing is renumbered.
    assert [k for k in keys if k.startswith("7.")] == ["7.1", "7.2", "7.4", "7.5"]


@pytest.mark.parametrize("row", EXPECTED_TASKS, ids=[row[0] for row in EXPECTED_TASKS])
def test_each_task_matches_the_annex(campaign, row):
    key, deadline_text, leads, lead_note, supports, support_note, text_start = row
    task = Task.objects.with_annex().get(campaign=campaign, key=key)
    assert task.deadline_text == deadline_text
    expected_deadline = parse_deadline(deadline_text)
    assert (task.deadline_kind, task.deadline_date) == (expected_deadline.kind, expected_deadline.date)
    assert "、".join(u.name for u in task.lead_units) == leads
    assert task.lead_note == lead_note
    assert "、".join(u.name for u in task.support_units) == supports
    assert task.support_note == support_note
    assert task.content.startswith(text_start)
    per_duty = {a.per_duty for a in task.lead_assignments}
    assert per_duty == {"按职责分工负责" in lead_note}


def test_every_task_text_appears_verbatim_in_the_plan(campaign, settings):
    plan = (settings.BASE_DIR / "fixtures" / "yinzhou-work-safety-campaign-plan-2024.txt").read_text(encoding="utf-8")
    annex = plan[plan.index("附件:") :]
    for task in Task.objects.filter(campaign=campaign):
        assert f"{task.number}.{task.content}" in annex, task.key


def test_deadlines_are_read_as_dates(campaign):
    by_key = {t.key: t for t in Task.objects.filter(campaign=campaign)}
    assert by_key["11.1"].deadline_date == datetime.date(2024, 6, 30)
    assert by_key["13.1"].deadline_date == datetime.date(2024, 6, 30)
    assert by_key["2.2"].deadline_date == datetime.date(2024, 12, 31)
    assert by_key["3.4"].deadline_date == datetime.date(2025, 12, 31)
    assert by_key["5.3"].deadline_date == datetime.date(2026, 12, 31)
    assert by_key["1.1"].deadline_kind == DeadlineKind.ONGOING and by_key["1.1"].deadline_date is None
    assert by_key["7.4"].deadline_kind == DeadlineKind.HIGHER_AUTHORITY
    assert by_key["7.4"].deadline_date is None
    assert by_key["7.4"].deadline_text == "根据上级推广应用时间节点确定"
    counts = {kind: sum(1 for t in by_key.values() if t.deadline_kind == kind) for kind in DeadlineKind.values}
    assert counts == {"ongoing": 17, "fixed": 54, "higher_authority": 1}


def test_the_towns_rule_belongs_to_the_campaign_not_to_task_1_1(campaign):
    assert campaign.standing_support_rule == "以下均需要镇(街道、园区)配合,不再列出"
    assert campaign.standing_support_unit.name == "镇(街道、园区)"
    assert campaign.standing_support_unit.kind == UnitKind.GROUP
    task = Task.objects.get(campaign=campaign, key="1.1")
    assert "不再列出" not in task.support_units_text


def test_unit_groups_are_groups_with_members(campaign):
    groups = {u.name: u for u in Unit.objects.groups()}
    assert set(groups) == {"区安委各成员单位", "区安委会相关成员单位", "区各相关部门", "区道路交通专委会相关成员单位", "镇(街道、园区)"}
    assert groups["区安委各成员单位"].members.filter(name="区应急管理局").exists()
    assert Unit.objects.get(name="区安委办").kind == UnitKind.OFFICE


def test_seeding_twice_changes_nothing(campaign):
    def snapshot():
        return (
            list(Unit.objects.order_by("id").values_list("id", "name", "kind")),
            list(Category.objects.order_by("id").values_list("id", "name")),
            list(Measure.objects.order_by("id").values_list("id", "title")),
            list(Task.objects.order_by("id").values_list("id", "key", "content", "deadline_text", "updated_at")),
            list(TaskAssignment.objects.order_by("id").values_list("id", "task_id", "unit_id", "role")),
            Campaign.objects.count(),
            # seed_campaign also loads the plan's indicators the first time (indicators app).
            AuditEntry.objects.exclude(action__startswith="indicators.").count(),
        )

    before = snapshot()
    call_command("seed_campaign", verbosity=0)
    assert snapshot() == before


def test_seeding_again_keeps_the_offices_edits(campaign):
    task = Task.objects.get(campaign=campaign, key="8.2")
    task.content = "到2025年底前实现帆张网、涉氨冷藏船淘汰清零(已修订)。"
    task.save()
    TaskAssignment.objects.create(task=task, unit=Unit.objects.get(name="区应急管理局"), role=AssignmentRole.SUPPORT)
    group = Unit.objects.get(name="区道路交通专委会相关成员单位")
    group.members.clear()

    call_command("seed_campaign", verbosity=0)

    task.refresh_from_db()
    assert task.content.endswith("(已修订)。")
    assert [u.name for u in Task.objects.with_annex().get(pk=task.pk).support_units] == ["区应急管理局"]
    assert group.members.count() == 0


def test_seeding_an_empty_database_after_a_deleted_task_restores_only_that_task(campaign):
    Task.objects.filter(campaign=campaign, key="16.3").delete()
    call_command("seed_campaign", verbosity=0)
    assert Task.objects.filter(campaign=campaign).count() == 72
    assert Task.objects.get(campaign=campaign, key="16.3").lead_units_text == "区安委办"
