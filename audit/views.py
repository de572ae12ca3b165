"""The audit log for office staff: filter, page through, export. Read-only by construction."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from .access import require_audit_reader
from .display import present_all
from .export import EXPORT_MAX_ROWS, audit_workbook
from .forms import AuditFilterForm
from .selectors import audit_entries, audit_filter_choices

PAGE_SIZE = 50


def _form(request) -> AuditFilterForm:
    choices = audit_filter_choices()
    return AuditFilterForm(request.GET or None, actions=choices["actions"], object_types=choices["object_types"])


@require_GET
@login_required
def audit_log(request):
    require_audit_reader(request.user)
    form = _form(request)
    page = Paginator(audit_entries(**form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": present_all(page), "query": query.urlencode()}
    return render(request, "audit/log.html", context)


@require_GET
@login_required
def audit_log_export(request):
    require_audit_reader(request.user)
    form = _form(request)
    entries = audit_entries(**form.filters())[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    filename = f"操作日志-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(
        audit_workbook(entries),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
