"""Who owes what on each task: groups resolved by their wording (tasks.duties), the office's decisions
and a member's 不涉及 declaration (tasks.services), and the annex's own wording kept verbatim."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from departments.models import Role, Unit, UnitKind
from tasks.annex import PLAN_TEXT_PATH, load_annex
from tasks.duties import AssignmentFacts, UnitFacts, duty_rules_apply
from tasks.models import AssignmentRole, DutyBasis, DutyEnd, Task, TaskDuty
from tasks.services import (
    assignment_reports_set,
    duty_exemption_decide,
    duty_exemption_declare,
    group_member_designate,
    group_member_undesignate,
    task_unit_assign,
    task_unit_unassign,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

DEPARTMENTS = 26  # the catalogue's 区级部门: every member of 区安委各成员单位


def task(campaign, key: str) -> Task:
    return Task.objects.get(campaign=campaign, key=key)


def current(campaign, key: str, **filters) -> dict[str, TaskDuty]:
    return {d.unit.name: d for d in TaskDuty.objects.current().filter(task=task(campaign, key), **filters).select_related("unit", "via")}


def liaison_of(unit_name: str, username: str | None = None):
    return make_user(username or f"l-{Unit.objects.get(name=unit_name).pk}", unit_name, Role.LIAISON)


# --- the rules ------------------------------------------------------------------------------------


def test_the_rules_as_a_pure_function():
    units = {
        1: UnitFacts("department", "", True), 2: UnitFacts("department", "", True),
        3: UnitFacts("department", "", False),  # retired
        10: UnitFacts("group", "each", True), 11: UnitFacts("group", "relevant", True),
    }
    members = {10: [1, 2, 3], 11: [1, 2]}
    assignments = [
        AssignmentFacts(100, 10, "lead", False, "annex"),  # every member leads
        AssignmentFacts(100, 2, "support", True, "annex"),  # named, but lead through the group wins
        AssignmentFacts(200, 11, "lead", False, "annex"),  # relevant members: only those named
        AssignmentFacts(300, 11, "support", True, "annex"),
        AssignmentFacts(300, 1, "support", False, "office"),
    ]
    duties = duty_rules_apply(
        assignments=assignments, units=units, members=members, designations={(200, 11, 2), (300, 11, 1)},
        exemptions={(100, 2)},
    )
    assert duties[(100, 1)].basis == DutyBasis.MEMBER and duties[(100, 1)].via_id == 10
    assert duties[(100, 2)].role == AssignmentRole.SUPPORT and duties[(100, 2)].basis == DutyBasis.NAMED  # exempted from the group
    assert (100, 3) not in duties  # retired units owe nothing
    assert set(k for k in duties if k[0] == 200) == {(200, 2)} and duties[(200, 2)].basis == DutyBasis.DESIGNATED
    # Office-named beats designated; a supporting duty reports only where switched on.
    assert duties[(300, 1)].basis == DutyBasis.OFFICE and duties[(300, 1)].reports is False
    assert all(d.reports for k, d in duties.items() if d.role == AssignmentRole.LEAD)


def test_every_member_of_the_committee_owes_a_task_its_members_lead(campaign):
    duties = current(campaign, "4.3")
    assert len(duties) == DEPARTMENTS
    assert {d.basis for d in duties.values()} == {DutyBasis.MEMBER}
    assert {d.via.name for d in duties.values()} == {"区安委各成员单位"}
    assert "区安委办" not in duties  # an office, not one of the committee's member departments


def test_a_task_led_by_the_relevant_members_binds_nobody_until_the_office_names_them(campaign, office_user):
    assert current(campaign, "5.3") == {}
    group = Unit.objects.get(name="区安委会相关成员单位")
    designation = group_member_designate(
        user=office_user, task=task(campaign, "5.3"), group=group, unit=Unit.objects.get(name="区交通局"),
        reason="道路交通领域",
    )
    duties = current(campaign, "5.3")
    assert list(duties) == ["区交通局"] and duties["区交通局"].basis == DutyBasis.DESIGNATED
    assert duties["区交通局"].role == AssignmentRole.LEAD
    group_member_undesignate(user=office_user, designation=designation, reason="职责调整")
    assert current(campaign, "5.3") == {}
    ended = TaskDuty.objects.get(task__key="5.3", unit__name="区交通局")
    assert ended.valid_to is not None and ended.end_reason == DutyEnd.REMOVED  # kept, never deleted
    actions = list(AuditEntry.objects.filter(object_type="tasks.task").values_list("action", "data__reason"))
    assert ("tasks.duty.designated", "道路交通领域") in actions and ("tasks.duty.undesignated", "职责调整") in actions


def test_a_unit_named_as_lead_leads_even_where_its_group_supports(campaign):
    duties = current(campaign, "8.1")  # lead 区住建局、区交通局、区应急管理局; support 区安委各成员单位
    assert duties["区住建局"].role == AssignmentRole.LEAD and duties["区住建局"].basis == DutyBasis.NAMED
    assert duties["区妇联"].role == AssignmentRole.SUPPORT and duties["区妇联"].via.name == "区安委各成员单位"
    assert not duties["区妇联"].reports  # supporting groups don't report unless the office asks


def test_a_member_declares_not_concerned_and_the_office_accepts_or_rejects(campaign, office_user):
    women = liaison_of("区妇联")
    exemption = duty_exemption_declare(user=women, task=task(campaign, "15.3"), reason="本单位无行政执法职责")
    assert "区妇联" in current(campaign, "15.3")  # still owed until decided
    duty_exemption_decide(user=office_user, exemption=exemption, accept=True)
    assert "区妇联" not in current(campaign, "15.3")
    assert TaskDuty.objects.get(task__key="15.3", unit__name="区妇联").end_reason == DutyEnd.EXEMPTED

    youth = liaison_of("团区委")
    rejected = duty_exemption_declare(user=youth, task=task(campaign, "15.3"), reason="无执法职责")
    with pytest.raises(ValidationError):
        duty_exemption_decide(user=office_user, exemption=rejected, accept=False)  # a rejection needs a reason
    duty_exemption_decide(user=office_user, exemption=rejected, accept=False, comment="需配合开展宣传")
    assert "团区委" in current(campaign, "15.3")


def test_only_a_member_owing_through_an_each_member_group_may_declare(campaign, liaison, office_user):
    with pytest.raises(ValidationError):  # 7.5 names 区应急管理局 itself: the office changes that, not a declaration
        duty_exemption_declare(user=liaison, task=task(campaign, "7.5"), reason="不涉及")
    with pytest.raises(PermissionDenied):
        duty_exemption_declare(user=office_user, task=task(campaign, "15.3"), reason="不涉及")
    duty_exemption_declare(user=liaison, task=task(campaign, "15.3"), reason="另有安排")
    with pytest.raises(ValidationError):  # one live declaration per unit and task
        duty_exemption_declare(user=liaison, task=task(campaign, "15.3"), reason="再报一次")


@pytest.mark.parametrize("who", ["liaison", "viewer"])
def test_nobody_but_the_office_decides_who_owes_what(campaign, request, who):
    user = request.getfixturevalue(who)
    group = Unit.objects.get(name="区安委会相关成员单位")
    before = TaskDuty.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        group_member_designate(user=user, task=task(campaign, "5.3"), group=group,
                               unit=Unit.objects.get(name="区交通局"), reason="x")
    with pytest.raises(PermissionDenied):
        task_unit_assign(user=user, task=task(campaign, "7.5"), unit=Unit.objects.get(name="区交通局"),
                         role=AssignmentRole.LEAD, reason="x")
    assert (TaskDuty.objects.count(), AuditEntry.objects.count()) == before


def test_the_office_adds_a_town_as_a_reporting_supporter_and_takes_it_off_again(campaign, office_user):
    town = Unit.objects.get(name="姜山镇")
    assignment = task_unit_assign(user=office_user, task=task(campaign, "7.5"), unit=town,
                                  role=AssignmentRole.SUPPORT, reports=True, reason="试点镇")
    duty = current(campaign, "7.5")["姜山镇"]
    assert (duty.basis, duty.reports) == (DutyBasis.OFFICE, True)
    assignment_reports_set(user=office_user, assignment=assignment, reports=False, reason="不再要求")
    assert current(campaign, "7.5")["姜山镇"].reports is False
    task_unit_unassign(user=office_user, assignment=assignment, reason="试点结束")
    assert "姜山镇" not in current(campaign, "7.5")
    with pytest.raises(ValidationError):  # a task keeps a lead unit
        lead = task(campaign, "7.5").assignments.get(role=AssignmentRole.LEAD)
        task_unit_unassign(user=office_user, assignment=lead, reason="x")


def test_group_membership_and_retired_units_reach_the_duties(campaign):
    committee = Unit.objects.get(name="区安委各成员单位")
    new = Unit.objects.create(name="区数据局", kind=UnitKind.DEPARTMENT)
    committee.members.add(new)  # as the admin does it
    assert "区数据局" in current(campaign, "4.3")
    new.is_active = False
    new.save()
    assert "区数据局" not in current(campaign, "4.3")
    assert TaskDuty.objects.get(task__key="4.3", unit=new).end_reason == DutyEnd.RETIRED
    new.is_active = True
    new.save()
    committee.members.remove(new)
    assert "区数据局" not in current(campaign, "4.3")


def test_the_towns_are_in_the_catalogue_and_support_every_task_without_duty_rows(campaign):
    towns = Unit.objects.filter(kind=UnitKind.TOWN)
    assert towns.count() == 25 and {"聚贤街道", "梅墟街道", "姜山镇", "东钱湖镇"} <= set(towns.values_list("name", flat=True))
    group = campaign.standing_support_unit
    assert group.name == "镇(街道、园区)" and set(group.members.all()) == set(towns)
    # 1.1 names the towns; no other task does: they support the rest by the standing rule alone.
    assert TaskDuty.objects.filter(unit__kind=UnitKind.TOWN).exclude(task__key="1.1").count() == 0
    assert {d.role for d in TaskDuty.objects.filter(unit__kind=UnitKind.TOWN)} == {AssignmentRole.SUPPORT}


# --- the annex's words, verbatim ----------------------------------------------------------------


def test_every_tasks_unit_wording_is_the_plan_text_itself(campaign):
    plan = PLAN_TEXT_PATH.read_text(encoding="utf-8")
    annex_text = plan[plan.index("附件:宁波市鄞州区安全生产治本攻坚行动任务清单"):]
    printed = [line.strip() for line in annex_text.splitlines() if line.strip()]
    # A cell is one printed line, or (10.4) one broken over two lines before its "、".
    cells = set(printed) | {a + b for a, b in zip(printed, printed[1:]) if b.startswith("、")}
    stored = {t.key: t for t in Task.objects.filter(campaign=campaign)}
    for _, measure, item in load_annex().tasks():
        key = f"{measure.number}.{item.number}"
        assert stored[key].lead_text == item.lead_text, key
        assert stored[key].support_text == item.support_text, key
        assert stored[key].lead_text in cells, key
        # 1.1's cell ends with the campaign's standing rule, kept apart (Campaign.standing_support_rule).
        support_cell = item.support_text + ("。" + campaign.standing_support_rule if key == "1.1" else "")
        assert not item.support_text or support_cell in cells, key
    assert stored["1.1"].support_units_text == "区各相关部门按职责分工负责,镇(街道、园区)政府(办事处、管委会、办公室)负责"
    assert stored["3.1"].lead_units_text == "区安委办、区消安委办,区委社工部、区委政法委、区社会治理中心"
    assert stored["3.2"].lead_units_text == "区安委办、区消安委办,区委社工部"
