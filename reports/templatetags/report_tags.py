"""Labels and colours of the computed states, for templates (the rules live in reports.status)."""

from django import template

from ..models import ProgressStatus
from ..status import Rag, ReportingState, TaskState

register = template.Library()

RAG_CLASSES = {Rag.RED: "text-bg-danger", Rag.AMBER: "text-bg-warning", Rag.GREEN: "text-bg-success"}
REPORTING_CLASSES = {
    ReportingState.NOT_REPORTED: "text-bg-secondary",
    ReportingState.DRAFT: "text-bg-light border",
    ReportingState.SUBMITTED: "text-bg-primary",
    ReportingState.RETURNED: "text-bg-danger",
    ReportingState.APPROVED: "text-bg-success",
}


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value or ""


@register.filter
def task_state_label(value) -> str:
    return _label(TaskState, value)


@register.filter
def rag_label(value) -> str:
    return _label(Rag, value)


@register.filter
def rag_class(value) -> str:
    return RAG_CLASSES.get(value, "text-bg-secondary")


@register.filter
def reporting_state_label(value) -> str:
    return _label(ReportingState, value)


@register.filter
def progress_label(value) -> str:
    """推进情况: 未启动 / 推进中 / 已完成."""
    return _label(ProgressStatus, value)


@register.filter
def reporting_state_class(value) -> str:
    return REPORTING_CLASSES.get(value, "text-bg-secondary")
