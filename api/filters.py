"""Query filters of the API lists (django-filter). Bad values answer 400 with a Chinese message."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from departments.models import Unit
from departments.selectors import UnitDirectory
from reports.models import ProgressReport, ReportState
from reports.status import Rag, TaskState
from tasks.models import AssignmentRole, Campaign, DeadlineKind, Task


class UnitField(forms.CharField):
    """A unit given by its id or its name (aliases such as 区应急局 accepted)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            unit = Unit.objects.filter(pk=int(value)).first()
            if unit is None:
                raise forms.ValidationError(f"没有编号为 {value} 的单位。")
            return unit
        directory = UnitDirectory()
        unit = directory.get(value)
        if unit is None:
            suggestions = directory.suggest(value)
            hint = f"您是否要找:{'、'.join(suggestions)}?" if suggestions else ""
            raise forms.ValidationError(f"没有名为“{value}”的单位。{hint}")
        return unit


@extend_schema_field(OpenApiTypes.STR)
class UnitFilter(django_filters.Filter):
    field_class = UnitField


class CampaignField(forms.Field):
    """A campaign by its id (task keys such as 1.4 repeat across campaigns; the id tells them apart)."""

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, required=required, **kwargs)

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        if not value.isdigit() or len(value) > 18:
            raise forms.ValidationError(f"行动方案应为编号(整数),“{value[:20]}”不是。")
        campaign = Campaign.objects.filter(pk=int(value)).first()
        if campaign is None:
            raise forms.ValidationError(f"没有编号为 {value} 的行动方案。")
        return campaign


@extend_schema_field(OpenApiTypes.INT)
class CampaignFilter(django_filters.Filter):
    field_class = CampaignField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class TaskFilter(django_filters.FilterSet):
    unit = UnitFilter(
        method="filter_unit",
        label="单位名称或编号:该单位(直接或通过所在单位组)牵头或配合的任务",
    )
    measure = IntegerFilter(field_name="measure__number", label="主要任务序号,如 7")
    category = django_filters.CharFilter(method="filter_category", label="举措类别:序号(1–5)或名称,如“人防”")
    deadline_kind = django_filters.ChoiceFilter(choices=DeadlineKind.choices, label="完成时限类型")
    state = django_filters.ChoiceFilter(choices=TaskState.choices, label="任务状态(按状态规则计算)")
    rag = django_filters.ChoiceFilter(choices=Rag.choices, label="红黄绿标识")
    q = django_filters.CharFilter(method="filter_q", label="搜索:任务编号、任务内容或单位名称")

    class Meta:
        model = Task
        fields = ["unit", "measure", "category", "deadline_kind", "state", "rag", "q"]

    def filter_unit(self, queryset, name, value):
        return queryset.for_unit(value)

    def filter_category(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(measure__category__number=int(value))
        return queryset.filter(measure__category__name=value.strip("“”\""))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)


class ReportFilter(django_filters.FilterSet):
    campaign = CampaignFilter(field_name="task__campaign", label="行动方案编号(任务编号在各方案中会重复)")
    task = django_filters.CharFilter(field_name="task__key", label="任务编号,如 7.5(与 campaign 一起使用才唯一)")
    unit = UnitFilter(field_name="unit", label="报送单位名称或编号")
    period = django_filters.CharFilter(field_name="period__code", label="报送周期,如 2026Q4")
    state = django_filters.ChoiceFilter(choices=ReportState.choices, label="报送状态")
    role = django_filters.ChoiceFilter(choices=AssignmentRole.choices, label="职责:牵头(lead)或配合(support)")

    class Meta:
        model = ProgressReport
        fields = ["campaign", "task", "unit", "period", "state", "role"]
