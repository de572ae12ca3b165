"""Generate a city-scale data set for the benchmark, fast (bulk_create and PostgreSQL COPY).

Full size (`--scale 1`): 100 campaigns × the annex's 72 tasks (7,200 tasks, with categories,
measures and assignments copied from the seeded annex), 300 real units (the catalogue's 28
plus extra departments and towns, each with a liaison account), 12 quarterly periods per
campaign, and per task and period one lead report and two supporting contributions
(≈ 259,200 reports), each with its version row. `--scale 0.01` makes 1/100 of the campaigns,
tasks, reports and extra units (the periods stay 12: growth is in breadth, not in time).

    .venv/bin/python bench/generate.py --scale 0.01 --database yz_bench_small

The database is dropped and created afresh (never the development or test database: the name
must start with "yz_bench" unless --force-name). `generate(plan)` works on the current
connection so the smoke test (tests/bench) can run it inside the test database.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FULL_CAMPAIGNS = 100
FULL_REAL_UNITS = 300
CATALOGUE_REAL_UNITS = 28  # 26 departments + 2 offices in fixtures/yinzhou-units.json
BENCH_PASSWORD = "bench-password-2026"
ALL_DEPARTMENT_GROUPS = ("区安委各成员单位", "区安委会相关成员单位", "区各相关部门")
TOWNS_GROUP = "镇(街道、园区)"


@dataclass(frozen=True)
class Plan:
    campaigns: int  # in total, the seeded campaign included
    extra_units: int  # real units beyond the catalogue's (half departments, half towns)
    periods: int = 12  # the last N quarterly periods of each campaign get reports
    supports_per_task: int = 2  # supporting contributions per task and period

    @classmethod
    def for_scale(cls, scale: float) -> "Plan":
        return cls(
            campaigns=max(1, round(FULL_CAMPAIGNS * scale)),
            extra_units=max(0, round((FULL_REAL_UNITS - CATALOGUE_REAL_UNITS) * scale)),
        )


def setup_django(database: str | None = None) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    if database:
        os.environ["BENCH_DATABASE"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def database_recreate(name: str) -> None:
    """Drop and create the benchmark database (connecting to the server's `postgres` database)."""
    import psycopg2
    from psycopg2 import sql

    from django.conf import settings

    params = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"],
        port=params["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


# --- the data set ---------------------------------------------------------------------------


def _extra_units(plan: Plan) -> int:
    """Create the extra departments and towns, members of the groups that name all of them."""
    from departments.models import Unit, UnitKind

    existing = set(Unit.objects.filter(name__startswith="基准").values_list("name", flat=True))
    departments = plan.extra_units // 2
    towns = plan.extra_units - departments
    new = [
        Unit(name=f"基准区级部门{n:03d}", kind=UnitKind.DEPARTMENT, sort_order=100_000 + n)
        for n in range(1, departments + 1)
    ] + [Unit(name=f"基准镇街{n:03d}", kind=UnitKind.TOWN, sort_order=200_000 + n) for n in range(1, towns + 1)]
    new = Unit.objects.bulk_create([u for u in new if u.name not in existing])
    groups = {g.name: g for g in Unit.objects.groups()}
    Through = Unit.members.through
    links = []
    for unit in new:
        names = ALL_DEPARTMENT_GROUPS if unit.kind == UnitKind.DEPARTMENT else (TOWNS_GROUP,)
        links += [Through(from_unit_id=groups[name].pk, to_unit_id=unit.pk) for name in names if name in groups]
    Through.objects.bulk_create(links, ignore_conflicts=True)
    return len(new)


def _accounts() -> tuple[dict[int, int], int]:
    """One liaison per real unit and one office account; returns ({unit id: liaison id}, office id)."""
    from django.contrib.auth.hashers import make_password

    from departments.models import Role, Unit, User

    password = make_password(BENCH_PASSWORD)  # hashed once, shared: hashing 300 times takes minutes
    have = set(User.objects.filter(role=Role.LIAISON).values_list("unit_id", flat=True))
    User.objects.bulk_create(
        [
            User(username=f"bench-liaison-{unit.pk}", unit=unit, role=Role.LIAISON, password=password,
                 full_name=f"{unit.name}联络员")
            for unit in Unit.objects.real()
            if unit.pk not in have
        ]
    )
    office, _ = User.objects.get_or_create(
        username="bench-office",
        defaults={"unit": Unit.objects.get(name="区安委办"), "role": Role.OFFICE, "password": password},
    )
    liaisons = {}
    for user_id, unit_id in User.objects.filter(role=Role.LIAISON).order_by("-id").values_list("id", "unit_id"):
        liaisons[unit_id] = user_id  # the earliest account of a unit wins (fixtures' own users)
    return liaisons, office.pk


def _copy_campaigns(template, plan: Plan) -> list:
    """Copies of the seeded campaign with its categories, measures, tasks and assignments."""
    from tasks.models import Campaign, Category, Measure, Task, TaskAssignment

    have = Campaign.objects.count()
    wanted = plan.campaigns - have
    if wanted <= 0:
        return list(Campaign.objects.order_by("id"))
    fields = ["short_name", "issuer", "issued_on", "start_date", "end_date", "standing_support_unit_id",
              "standing_support_rule", "report_cadence", "report_due_days", "is_active"]
    copies = Campaign.objects.bulk_create(
        [
            Campaign(name=f"{template.name}·基准副本{have + n:03d}", **{f: getattr(template, f) for f in fields})
            for n in range(1, wanted + 1)
        ]
    )
    categories = list(template.categories.all())
    measures = list(template.measures.select_related("category"))
    tasks = list(template.tasks.select_related("measure"))
    assignments = list(TaskAssignment.objects.filter(task__campaign=template).select_related("task"))

    new_categories = Category.objects.bulk_create(
        [Category(campaign=c, number=cat.number, name=cat.name) for c in copies for cat in categories]
    )
    category_of = {(c.campaign_id, c.number): c for c in new_categories}
    new_measures = Measure.objects.bulk_create(
        [
            Measure(campaign=c, category=category_of[(c.pk, m.category.number)], number=m.number, title=m.title)
            for c in copies
            for m in measures
        ]
    )
    measure_of = {(m.campaign_id, m.number): m for m in new_measures}
    task_fields = ["number", "key", "content", "deadline_kind", "deadline_date", "deadline_text", "lead_note",
                   "support_note", "lead_text", "support_text", "sort_order"]
    new_tasks = Task.objects.bulk_create(
        [
            Task(campaign=c, measure=measure_of[(c.pk, t.measure.number)], **{f: getattr(t, f) for f in task_fields})
            for c in copies
            for t in tasks
        ],
        batch_size=2000,
    )
    task_of = {(t.campaign_id, t.key): t for t in new_tasks}
    TaskAssignment.objects.bulk_create(
        [
            TaskAssignment(task=task_of[(c.pk, a.task.key)], unit_id=a.unit_id, role=a.role, per_duty=a.per_duty,
                           order=a.order)
            for c in copies
            for a in assignments
        ],
        batch_size=5000,
    )
    from tasks.duties import campaign_start, duties_sync

    for campaign in copies:  # who owes what, groups resolved, owed since the campaign's start like the annex
        duties_sync(campaign=campaign, valid_from=campaign_start(campaign))
    return list(Campaign.objects.order_by("id"))


def _report_rows(campaigns, plan: Plan, liaisons: dict[int, int], office_id: int, today: datetime.date):
    """The reports as COPY rows: per task and period one lead report and N supporting contributions,
    by units that have a duty on the task (tasks.duties) or support it by the standing rule."""
    from departments.models import Unit
    from reports.models import ProgressStatus, ReportingPeriod, ReportState
    from tasks.models import AssignmentRole, DeadlineKind, Task, TaskDuty

    campaign_ids = [c.pk for c in campaigns]
    periods: dict[int, list] = {}
    for period in ReportingPeriod.objects.filter(campaign_id__in=campaign_ids).order_by("start"):
        periods.setdefault(period.campaign_id, []).append(period)
    duties: dict[int, list[tuple[str, int]]] = {}
    for task_id, role, unit_id in (
        TaskDuty.objects.current()
        .filter(task__campaign_id__in=campaign_ids)
        .order_by("task_id", "unit__sort_order", "unit_id")
        .values_list("task_id", "role", "unit_id")
    ):
        duties.setdefault(task_id, []).append((role, unit_id))
    standing_members = {
        group.pk: list(group.members.order_by("sort_order", "id").values_list("pk", flat=True))
        for group in Unit.objects.groups()
    }
    standing = {c.pk: standing_members.get(c.standing_support_unit_id, []) for c in campaigns}
    tz = datetime.timezone(datetime.timedelta(hours=8))

    for index, task in enumerate(Task.objects.filter(campaign_id__in=campaign_ids).order_by("campaign_id", "sort_order")):
        leads = [u for role, u in duties.get(task.pk, []) if role == AssignmentRole.LEAD]
        supports = [u for role, u in duties.get(task.pk, []) if role == AssignmentRole.SUPPORT]
        supports.extend(standing.get(task.campaign_id, []))
        leads = [u for u in dict.fromkeys(leads) if u in liaisons]
        if not leads:
            continue
        lead = leads[0]
        supports = [u for u in dict.fromkeys(supports) if u != lead and u in liaisons]
        dated = task.deadline_kind != DeadlineKind.ONGOING
        chosen_periods = periods[task.campaign_id][-plan.periods:]
        for p_index, period in enumerate(chosen_periods):
            if supports:
                start = (index * 7 + p_index) % len(supports)
                picked = [supports[(start + k) % len(supports)] for k in range(min(plan.supports_per_task, len(supports)))]
            else:
                picked = []
            past = period.due_date < today
            for role, unit_id in [(AssignmentRole.LEAD, lead)] + [(AssignmentRole.SUPPORT, u) for u in picked]:
                turn = (index + p_index + unit_id) % 20
                if past:
                    state = ReportState.RETURNED if turn == 0 else ReportState.SUBMITTED if turn == 1 else ReportState.APPROVED
                else:
                    state = ReportState.DRAFT if turn % 2 else ReportState.SUBMITTED
                percent = min(100, 10 * (p_index + 1)) if dated else None
                status = ProgressStatus.COMPLETED if percent == 100 else ProgressStatus.IN_PROGRESS
                written = datetime.datetime.combine(period.end, datetime.time(10, 0), tz)
                submitted = None if state == ReportState.DRAFT else written + datetime.timedelta(days=2)
                reviewed = state in (ReportState.APPROVED, ReportState.RETURNED)
                user = liaisons[unit_id]
                yield (
                    task.pk, unit_id, period.pk, role, state, status, "" if percent is None else percent,
                    f"{period.label}{task.key}项工作按计划推进,已完成阶段性工作。", "暂无。", "继续推进。", 1,
                    user, written.isoformat(), user, written.isoformat(),
                    "" if submitted is None else submitted.isoformat(),
                    "" if submitted is None else submitted.isoformat(),
                    (written + datetime.timedelta(days=4)).isoformat() if reviewed else "",
                    office_id if reviewed else "",
                    "请补充佐证材料。" if state == ReportState.RETURNED else "",
                    "",
                )


INDICATOR_UNITS = 3  # units the office assigns to each indicator the plan names no unit for


def _indicators(campaigns, office_id: int, today: datetime.date) -> None:
    """The plan's 37 indicators in every campaign (seeded in the annex's, copied by key into the
    others), three assigned units for each indicator without a task, and an approved value of
    every responsible unit for every period already ended (issue 17's panel at city scale)."""
    from decimal import Decimal

    from departments.models import Unit, UnitKind
    from indicators.models import Indicator, IndicatorAssignment, IndicatorValue
    from indicators.seeding import indicators_seed
    from indicators.selectors import responsible_units
    from reports.models import ReportingPeriod
    from tasks.models import Task

    from django.utils import timezone

    from indicators.seeding import load_indicator_fixture

    indicators_seed()
    template = list(
        Indicator.objects.filter(campaign__name=load_indicator_fixture()["campaign"]).select_related("task")
    )
    units = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("id")[:INDICATOR_UNITS])
    for campaign in campaigns:
        if Indicator.objects.filter(campaign=campaign).exists():
            continue
        tasks = {t.key: t.pk for t in Task.objects.filter(campaign=campaign)}
        Indicator.objects.bulk_create(
            Indicator(
                campaign=campaign, key=i.key, name=i.name, area=i.area, source_text=i.source_text,
                target_text=i.target_text, comparator=i.comparator, target=i.target, measure=i.measure,
                due_year=i.due_year, task_id=tasks.get(i.task.key) if i.task_id else None, sort_order=i.sort_order,
            )
            for i in template
        )
    if IndicatorValue.objects.exists():
        return
    indicators = list(Indicator.objects.select_related("task"))
    IndicatorAssignment.objects.bulk_create(
        (IndicatorAssignment(indicator=i, unit=u, reason="基准测试", created_by_id=office_id)
         for i in indicators if not i.task_id for u in units),
        ignore_conflicts=True, batch_size=5000,
    )
    answering = responsible_units(indicators)
    periods: dict[int, list] = {}
    for period in ReportingPeriod.objects.filter(end__lt=today).order_by("start"):
        periods.setdefault(period.campaign_id, []).append(period)
    now = timezone.now()
    rows = (
        IndicatorValue(
            indicator=i, unit=u, period=p, state="approved", created_by_id=office_id, updated_by_id=office_id,
            submitted_at=now, reviewed_at=now, reviewed_by_id=office_id,
            value=Decimal(90) if i.is_rate else Decimal(1),
            numerator=Decimal(90) if i.is_rate else None, denominator=Decimal(100) if i.is_rate else None,
        )
        for i in indicators
        for u in answering[i.pk]
        for p in periods.get(i.campaign_id, ())
    )
    IndicatorValue.objects.bulk_create(rows, batch_size=5000)


def _is_superuser() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


REPORT_COLUMNS = (
    "task_id", "unit_id", "period_id", "role", "state", "status", "percent", "progress", "problems", "next_steps",
    "version", "created_by_id", "created_at", "updated_by_id", "updated_at", "submitted_at", "first_submitted_at",
    "reviewed_at", "reviewed_by_id", "review_comment", "reopened_at",
)


def _copy_reports(rows) -> int:
    """COPY the rows into reports_progressreport in chunks of 20,000."""
    from django.db import connection

    total = 0
    chunk: list = []

    def flush():
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC).writerows(chunk)
        buffer.seek(0)
        with connection.cursor() as cursor:
            # Strings are quoted, so '' stays an empty string in NOT NULL text columns; the
            # nullable columns turn '' into NULL with FORCE_NULL.
            cursor.cursor.copy_expert(
                f"COPY reports_progressreport ({', '.join(REPORT_COLUMNS)}) FROM STDIN WITH (FORMAT csv, "
                "FORCE_NULL (percent, submitted_at, first_submitted_at, reviewed_at, reviewed_by_id, reopened_at))",
                buffer,
            )

    for row in rows:
        chunk.append(row)
        if len(chunk) >= 20_000:
            flush()
            total += len(chunk)
            chunk = []
    if chunk:
        flush()
        total += len(chunk)
    return total


VERSIONS_SQL = """
INSERT INTO reports_reportversion
    (report_id, number, action, state, status, percent, progress, problems, next_steps, comment,
     created_by_id, created_at)
SELECT r.id, r.version,
       CASE r.state WHEN 'draft' THEN 'saved' WHEN 'submitted' THEN 'submitted'
                    WHEN 'approved' THEN 'approved' ELSE 'returned' END,
       r.state, r.status, r.percent, r.progress, r.problems, r.next_steps, r.review_comment,
       r.updated_by_id, r.updated_at
FROM reports_progressreport r
WHERE NOT EXISTS (SELECT 1 FROM reports_reportversion v WHERE v.report_id = r.id)
"""


def generate(plan: Plan, *, today: datetime.date | None = None, analyze: bool = True, verbose: bool = False,
             skip_fk_checks: bool = False) -> dict[str, int]:
    """Build the data set in the current database (seeding the annex first). Returns row counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from departments.models import Unit, User
    from indicators.models import IndicatorValue
    from reports.models import ProgressReport, ReportingPeriod, ReportVersion
    from reports.periods import periods_ensure
    from tasks.models import Campaign, Task, TaskAssignment
    from tasks.seeding import campaign_seed_from_annex

    today = today or timezone.localdate()
    clock = [time.perf_counter()]

    def phase(name: str) -> None:
        now = time.perf_counter()
        if verbose:
            print(f"  {name}: {now - clock[0]:.1f} s", file=sys.stderr)
        clock[0] = now

    with transaction.atomic():
        template = campaign_seed_from_annex().campaign
        _extra_units(plan)
        liaisons, office_id = _accounts()
        phase("annex, units, accounts")
        campaigns = _copy_campaigns(template, plan)
        for campaign in campaigns:
            periods_ensure(campaign)
        phase("campaigns, tasks, assignments, periods")
        # Reports only for campaigns that have none yet, so that a bigger plan adds to a smaller one.
        reported = set(ProgressReport.objects.values_list("task__campaign_id", flat=True).distinct())
        fresh = [c for c in campaigns if c.pk not in reported]
        if fresh and skip_fk_checks and _is_superuser():
            # The rows below reference ids just read from this database, so they are consistent
            # by construction; checking ~1.5 million deferred foreign keys at commit took longer
            # than loading the rows. Replica mode skips those triggers for this transaction only
            # (the smoke test generates with the checks on, proving the rows satisfy them).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        if fresh:
            _copy_reports(_report_rows(fresh, plan, liaisons, office_id, today))
        phase("reports (COPY)")
        with connection.cursor() as cursor:
            cursor.execute(VERSIONS_SQL)
        phase("versions (INSERT … SELECT)")
        _indicators(campaigns, office_id, today)
        phase("indicators and their values")
    phase("commit (deferred constraint checks)")
    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        phase("ANALYZE")
    return {
        "campaigns": Campaign.objects.count(),
        "tasks": Task.objects.count(),
        "assignments": TaskAssignment.objects.count(),
        "units": Unit.objects.real().count(),
        "users": User.objects.count(),
        "periods": ReportingPeriod.objects.count(),
        "reports": ProgressReport.objects.count(),
        "versions": ReportVersion.objects.count(),
        "indicator values": IndicatorValue.objects.count(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = city scale (100 campaigns), 0.01 = 1/100")
    parser.add_argument("--database", default="yz_bench", help="PostgreSQL database to (re)create on 127.0.0.1")
    parser.add_argument("--keep", action="store_true", help="do not drop the database first (add what is missing)")
    parser.add_argument("--force-name", action="store_true", help="allow a database name not starting with yz_bench")
    args = parser.parse_args(argv)
    if not args.database.startswith("yz_bench") and not args.force_name:
        parser.error("the benchmark drops its database: use a name starting with yz_bench (or --force-name)")
    setup_django(args.database)
    from django.core.management import call_command

    started = time.perf_counter()
    if not args.keep:
        database_recreate(args.database)
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    plan = Plan.for_scale(args.scale)
    counts = generate(plan, verbose=True, skip_fk_checks=True)
    done = time.perf_counter()
    print(f"database {args.database}, scale {args.scale}: {plan}")
    for name, count in counts.items():
        print(f"  {name:<12} {count:>9,}")
    print(f"migrate {migrated - started:.1f} s, generate {done - migrated:.1f} s")
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"{args.database}.generate.json").write_text(
        json.dumps(
            {"scale": args.scale, "plan": asdict(plan), "counts": counts,
             "migrate_s": round(migrated - started, 1), "generate_s": round(done - migrated, 1)},
            ensure_ascii=False, indent=2,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
