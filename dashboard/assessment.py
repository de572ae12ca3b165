"""The unit assessment (考核): fair, open rates over each unit's own obligations.

Why rates: a raw sum of points ranks the unit with the most tasks first, whatever it does. Each
component here is a rate over what the unit itself owed in the period, so a unit with twice the
tasks and the same behaviour gets the same score:

- 按时报送率: its reports for the period submitted by the deadline ÷ the reports it owed
  (`reports.obligations`);
- 按期完成率: its dated lead tasks whose deadline (an approved extension's, if any) had passed by
  the period's end and that were completed by that deadline ÷ those tasks;
- 未被退回率: 1 − its reports of the period returned at least once ÷ its reports submitted;
- 督办按时答复率: supervisions (督办) of its lead tasks due for an answer in the period that it
  answered by the date ÷ those supervisions.

得分 = Σ(率 × 权重) ÷ Σ(权重) × 100, over the components the unit has a denominator for (the
office's weights, `AssessmentWeights`). A unit with none is listed as 不参与. The issuing office
(units with an office account: 区安委办) and units of read-only accounts only (leaders) are
never ranked: the assessor does not rank itself.

Every component is kept as numerator and denominator, so annual totals add up the periods'
frozen figures (`assessment_annual`), never average the averages.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from departments.models import Role
from reports.models import Supervision, SupervisionStep, SupervisionStepKind
from tasks.models import AssignmentRole, TaskDuty

from .models import AssessmentWeights

# (key, label, weight field of AssessmentWeights)
COMPONENTS = (
    ("reporting", "按时报送率", "reports_on_time"),
    ("completion", "按期完成率", "tasks_on_time"),
    ("returns", "未被退回率", "reports_returned"),
    ("supervision", "督办按时答复率", "supervision_cleared"),
)


def unranked_unit_ids() -> set[int]:
    """Units never ranked: the issuing office's (an office account) and those of leaders only
    (read-only accounts and no liaison). One query."""
    roles: dict[int, set[str]] = {}
    for unit_id, role in (
        get_user_model().objects.filter(is_active=True, unit__isnull=False).values_list("unit_id", "role").distinct()
    ):
        roles.setdefault(unit_id, set()).add(role)
    return {
        unit_id
        for unit_id, held in roles.items()
        if Role.OFFICE in held or (Role.VIEWER in held and Role.LIAISON not in held)
    }


def supervision_answers(scope) -> dict[int, dict]:
    """Per unit: supervisions of its lead tasks whose answer fell due in the period (as they stood
    at `scope.as_of`), and how many it answered by the date. Three queries, however many."""
    period = scope.period
    supervisions = Supervision.objects.filter(
        task__in=scope.tasks(), respond_by__gte=period["start"], respond_by__lte=period["end"]
    )
    if scope.as_of is not None:
        supervisions = supervisions.filter(opened_at__lte=scope.as_of)
    rows = list(supervisions.values("id", "task_id", "respond_by"))
    if not rows:
        return {}
    leads: dict[int, list[int]] = {}
    for task_id, unit_id in (
        TaskDuty.objects.at(scope.as_of)
        .filter(role=AssignmentRole.LEAD, task_id__in={r["task_id"] for r in rows})
        .values_list("task_id", "unit_id")
    ):
        leads.setdefault(task_id, []).append(unit_id)
    answered: dict[tuple[int, int], datetime.date] = {}
    steps = SupervisionStep.objects.filter(
        supervision_id__in=[r["id"] for r in rows], kind=SupervisionStepKind.ANSWERED, unit__isnull=False
    )
    if scope.as_of is not None:
        steps = steps.filter(created_at__lte=scope.as_of)
    for supervision_id, unit_id, created_at in steps.values_list("supervision_id", "unit_id", "created_at"):
        day = _local_date(created_at)
        key = (supervision_id, unit_id)
        answered[key] = min(day, answered.get(key, day))
    result: dict[int, dict] = {}
    for row in rows:
        for unit_id in leads.get(row["task_id"], []):
            entry = result.setdefault(unit_id, {"due": 0, "answered": 0})
            entry["due"] += 1
            day = answered.get((row["id"], unit_id))
            if day is not None and day <= row["respond_by"]:
                entry["answered"] += 1
    return result


def _local_date(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def unit_components(tasks: dict, reports: dict, answers: dict | None) -> dict[str, dict]:
    """The four components of one unit, each {num, den}: from the unit table's figures."""
    answers = answers or {"due": 0, "answered": 0}
    return {
        "reporting": {"num": reports["on_time"], "den": reports["expected"]},
        "completion": {"num": tasks["due_done_on_time"], "den": tasks["due"]},
        "returns": {"num": reports["submitted"] - reports["returned"], "den": reports["submitted"]},
        "supervision": {"num": answers["answered"], "den": answers["due"]},
    }


def weights_dict(weights: AssessmentWeights) -> dict[str, float]:
    return {key: float(getattr(weights, field)) for key, _, field in COMPONENTS}


def score(components: dict[str, dict], weights: dict[str, float]) -> float | None:
    """Σ(rate × weight) ÷ Σ(weight) × 100 over the components with a denominator; None: 不参与."""
    total_weight = Decimal(0)
    total = Decimal(0)
    for key, _, _ in COMPONENTS:
        part = components.get(key) or {}
        weight = Decimal(str(weights.get(key, 0)))
        if not part.get("den") or weight <= 0:
            continue
        total += weight * Decimal(part["num"]) / Decimal(part["den"])
        total_weight += weight
    if total_weight == 0:
        return None
    return float((total / total_weight * 100).quantize(Decimal("0.1")))


def formula(weights: dict[str, float]) -> str:
    parts = " + ".join(f"{label}×{weights[key]:g}" for key, label, _ in COMPONENTS)
    total = " + ".join(f"{weights[key]:g}" for key, _, _ in COMPONENTS)
    return (
        f"得分 = ({parts}) ÷ ({total}) × 100。各率均以本单位本期应承担的事项为分母:按时报送率 = 截止前报送数 ÷ 应报数;"
        "按期完成率 = 按期完成的到期牵头任务 ÷ 到期牵头任务;未被退回率 = 1 − 被退回报送 ÷ 已报送;"
        "督办按时答复率 = 按时答复的督办 ÷ 本期应答复的督办。某项没有应承担事项的,该项及其权重不计入;"
        "本期没有任何应承担事项的单位列为“不参与”。区安委办(考核单位)和领导只读账号所在单位不参加排名。"
    )


def rank(entries: list[dict]) -> tuple[list[dict], list[dict]]:
    """(ranking, not taking part): the ranked entries ordered by score, with `rank` (ties share it)."""
    ranked = sorted((e for e in entries if e["score"] is not None), key=lambda e: (-e["score"], e["sort_order"], e["name"]))
    place, last = 0, None
    for index, entry in enumerate(ranked, start=1):
        if entry["score"] != last:
            place, last = index, entry["score"]
        entry["rank"] = place
    absent = [e for e in entries if e["score"] is None]
    return ranked, absent


def _rate(part: dict) -> float | None:
    return round(100.0 * part["num"] / part["den"], 1) if part["den"] else None


def entry(*, unit_id: int, name: str, sort_order: int, components: dict, weights: dict, urls: dict | None = None) -> dict:
    """One unit's line of the ranking (JSON-able): score, components with their rates."""
    return {
        "id": unit_id,
        "name": name,
        "sort_order": sort_order,
        "score": score(components, weights),
        "components": {key: {**components[key], "rate": _rate(components[key])} for key, _, _ in COMPONENTS},
        "urls": urls or {},
    }


def assessment_section(scope, table: list[dict], figures: dict[int, dict], units: dict[int, dict], weights) -> dict:
    """The ranking of the units of the unit table (not the unranked ones), and who is 不参与."""
    excluded = unranked_unit_ids()
    answers = supervision_answers(scope)
    w = weights_dict(weights)
    entries = []
    for row in table:
        if row["id"] in excluded:
            continue
        figure = figures[row["id"]]
        entries.append(entry(
            unit_id=row["id"], name=row["name"], sort_order=units[row["id"]]["sort_order"],
            components=unit_components(figure["tasks"], figure["reports"], answers.get(row["id"])),
            weights=w, urls=row["urls"],
        ))
    ranking, absent = rank(entries)
    return {
        "weights": w,
        "labels": {key: label for key, label, _ in COMPONENTS},
        "formula": formula(w),
        "ranking": ranking,
        "not_taking_part": [{"id": e["id"], "name": e["name"]} for e in absent],
    }


def assessment_annual(rollups, weights) -> dict:
    """The annual total of a campaign year: each unit's components summed over the year's rollups
    (numerators and denominators, never an average of averages), scored with the weights."""
    w = weights_dict(weights)
    sums: dict[int, dict] = {}
    for rollup in rollups:
        assessment = rollup.snapshot.get("assessment") or {}
        for item in [*assessment.get("ranking", [])]:
            unit = sums.setdefault(item["id"], {
                "name": item["name"], "sort_order": item.get("sort_order", 0),
                "components": {key: {"num": 0, "den": 0} for key, _, _ in COMPONENTS}, "periods": 0,
            })
            unit["periods"] += 1
            for key, _, _ in COMPONENTS:
                part = (item.get("components") or {}).get(key) or {}
                unit["components"][key]["num"] += part.get("num", 0)
                unit["components"][key]["den"] += part.get("den", 0)
        for item in assessment.get("not_taking_part", []):
            sums.setdefault(item["id"], {
                "name": item["name"], "sort_order": 0,
                "components": {key: {"num": 0, "den": 0} for key, _, _ in COMPONENTS}, "periods": 0,
            })
    entries = [
        entry(unit_id=unit_id, name=u["name"], sort_order=u["sort_order"], components=u["components"], weights=w)
        for unit_id, u in sums.items()
    ]
    ranking, absent = rank(entries)
    return {
        "weights": w,
        "labels": {key: label for key, label, _ in COMPONENTS},
        "formula": formula(w),
        "ranking": ranking,
        "not_taking_part": [{"id": e["id"], "name": e["name"]} for e in absent],
        "periods": [r.period.code for r in rollups],
    }
