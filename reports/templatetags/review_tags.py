"""The review queue's rows (报送审核), written in Python.

Fifty rows a page, each with a link, a checkbox, a state badge (a template include) and a
date: the template engine spent about half of the page's time on them (issue 20). The markup
is the one `templates/reports/review_queue.html` had, character for character.
"""

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from .report_tags import reporting_state_class, reporting_state_label

register = template.Library()

CHECKBOX = ('<label class="touch-check"><input class="form-check-input" type="checkbox" name="report" '
            'value="{}:{}" form="batch-form" aria-label="选择 {} {}"></label>')
ROW = (
    '\n  <div class="list-group-item list-group-item-action d-flex gap-1 align-items-start review-row">\n    {}\n'
    '    <a class="flex-grow-1 min-w-0 text-reset text-decoration-none py-1" href="{}?{}">\n'
    '      <div class="d-flex flex-wrap gap-2 align-items-center">\n'
    '        <strong>{}</strong> <span>{}</span>\n'
    '        <span class="small text-secondary">{} · {}</span>\n'
    '        <span class="badge {}">{}</span>\n\n'  # the badge's partial ended with a line break
    '        <span class="small text-secondary ms-auto">报送于 {}</span>\n'
    '      </div>\n'
    '      <div class="small text-truncate">{}</div>\n'
    '    </a>\n'
    '  </div>\n'
)


def _review_row(report, queue_query: str, detail_url: str):
    checkbox = ""
    if report.state == "submitted":
        checkbox = format_html(CHECKBOX, report.pk, report.version, report.task.key, report.unit.name)
    submitted = dateformat.format(localtime(report.submitted_at), "Y-m-d H:i") if report.submitted_at else ""
    return format_html(
        ROW, checkbox, detail_url.replace("/0/", f"/{report.pk}/"), queue_query,
        report.task.key, report.unit.name,
        "牵头" if report.is_lead else "配合", report.period.code,
        reporting_state_class(report.state), reporting_state_label(report.state),
        submitted, report.progress,
    )


@register.simple_tag
def review_rows(reports, queue_query: str):
    """Each report of the page (with its task, unit and period) as the queue's list item."""
    detail_url = reverse("reports:review_detail", args=[0])
    query = conditional_escape(queue_query)
    return mark_safe("".join(_review_row(report, query, detail_url) for report in reports))  # noqa: S308 (format_html rows)
