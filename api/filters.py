"""Query filters of the API lists (django-filter), documented in the schema with their bounds.

A malformed value (not a number, out of range, too long, a NUL byte) answers 400 with a Chinese
message; a well-formed one naming a unit or campaign that does not exist answers 404.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from departments.models import Unit
from departments.selectors import UnitDirectory
from reports.models import ProgressReport, ReportState
from reports.status import Rag, TaskState, filter_status
from tasks.links import TASK_KEY_PATTERN
from tasks.models import AssignmentRole, Campaign, DeadlineKind, Task


NAME_MAX = 100
MAX_ID = 999_999_999


def is_number(value: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²" and "٣", which int() refuses."""
    return value.isascii() and value.isdigit()


class UnitField(forms.CharField):
    """A unit given by its id or its name (aliases such as 区应急局 accepted)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX)
        kwargs.setdefault("error_messages", {"max_length": f"单位名称过长(最多 {NAME_MAX} 字)。"})
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        if is_number(value):
            unit = Unit.objects.filter(pk=int(value)).first() if int(value) <= MAX_ID else None
            if unit is None:
                raise Http404(f"没有编号为 {value[:20]} 的单位。")
            return unit
        directory = UnitDirectory()
        unit = directory.get(value)
        if unit is None:
            suggestions = directory.suggest(value)
            hint = f"您是否要找:{'、'.join(suggestions)}?" if suggestions else ""
            raise Http404(f"没有名为“{value[:NAME_MAX]}”的单位。{hint}")
        return unit


@extend_schema_field({"type": "string", "maxLength": NAME_MAX})
class UnitFilter(django_filters.Filter):
    field_class = UnitField


OPTIONAL_TASK_KEY = r"^([0-9]{1,3}\.[0-9]{1,3})?$"  # empty: no filter


class TaskKeyField(forms.RegexField):
    """A task key as printed in the annex, "7.5" (tasks.links.TaskKeyConverter)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": "任务编号应形如 7.5。", "max_length": "任务编号应形如 7.5。"})
        super().__init__(TASK_KEY_PATTERN, *args, max_length=20, **kwargs)


@extend_schema_field({"type": "string", "pattern": OPTIONAL_TASK_KEY, "maxLength": 20})
class TaskKeyFilter(django_filters.CharFilter):
    field_class = TaskKeyField


class CampaignField(forms.Field):
    """A campaign by its id (task keys such as 1.4 repeat across campaigns; the id tells them apart)."""

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, required=required, **kwargs)

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        if not is_number(value) or len(value) > 18 or not 1 <= int(value) <= MAX_ID:
            raise forms.ValidationError(f"行动方案应为编号(正整数),“{value[:20]}”不是。")
        campaign = Campaign.objects.filter(pk=int(value)).first()
        if campaign is None:
            raise Http404(f"没有编号为 {value} 的行动方案。")
        return campaign


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class CampaignFilter(django_filters.Filter):
    field_class = CampaignField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is a 400, not "no filter" as Django's NullBooleanField has it."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        value = str(value or "").strip().lower()
        if not value:
            return None
        if value not in self.VALUES:
            raise forms.ValidationError("应为 true 或 false。")
        return self.VALUES[value]


@extend_schema_field({"type": "boolean"})
class BooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class BoundedIntegerField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 1000)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 1000})
class IntegerFilter(django_filters.NumberFilter):
    field_class = BoundedIntegerField


@extend_schema_field({"type": "string", "maxLength": NAME_MAX})
class TextFilter(django_filters.CharFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX)
        super().__init__(*args, **kwargs)


class TaskFilter(django_filters.FilterSet):
    unit = UnitFilter(
        method="filter_unit",
        label="单位名称或编号:该单位(直接或通过所在单位组)牵头或配合的任务",
    )
    measure = IntegerFilter(field_name="measure__number", label="主要任务序号,如 7")
    category = TextFilter(method="filter_category", label="举措类别:序号(1–5)或名称,如“人防”")
    deadline_kind = django_filters.ChoiceFilter(choices=DeadlineKind.choices, label="完成时限类型")
    state = django_filters.ChoiceFilter(
        choices=TaskState.choices, method="filter_status", label="任务状态(按状态规则计算)"
    )
    rag = django_filters.ChoiceFilter(choices=Rag.choices, method="filter_status", label="红黄绿标识")
    q = TextFilter(method="filter_q", label="搜索:任务编号、任务内容或单位名称")

    class Meta:
        model = Task
        fields = ["unit", "measure", "category", "deadline_kind", "state", "rag", "q"]

    def filter_unit(self, queryset, name, value):
        return queryset.for_unit(value)

    def filter_status(self, queryset, name, value):
        """State and RAG in SQL over the facts the list's queryset carries (api.selectors.tasks_with_facts)."""
        if queryset.query.is_empty():  # no active campaign: nothing to narrow
            return queryset
        return filter_status(queryset, today=timezone.localdate(), **{name: value})

    def filter_category(self, queryset, name, value):
        value = value.strip()
        if is_number(value):
            return queryset.filter(measure__category__number=int(value)) if len(value) < 6 else queryset.none()
        return queryset.filter(measure__category__name=value.strip("“”\""))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)


class ReportFilter(django_filters.FilterSet):
    campaign = CampaignFilter(field_name="task__campaign", label="行动方案编号(任务编号在各方案中会重复)")
    task = TaskKeyFilter(field_name="task__key", label="任务编号,如 7.5(与 campaign 一起使用才唯一)")
    unit = UnitFilter(field_name="unit", label="报送单位名称或编号")
    period = TextFilter(field_name="period__code", label="报送周期,如 2026Q4")
    state = django_filters.ChoiceFilter(choices=ReportState.choices, label="报送状态")
    role = django_filters.ChoiceFilter(choices=AssignmentRole.choices, label="职责:牵头(lead)或配合(support)")

    class Meta:
        model = ProgressReport
        fields = ["campaign", "task", "unit", "period", "state", "role"]
