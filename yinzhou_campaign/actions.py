"""The shape of an action page shared by the apps: a small form, a service call, back where the user was.

GET shows the form on its own page (`action_form.html`, also where a panel's inline form lands
with its errors); POST validates, runs the service, adds a success message and redirects to the
page the user came from (`next`, checked to stay on this site) — or shows the form again with the
service's Chinese messages (status 400).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

ACTION_TEMPLATE = "governance/action_form.html"


def next_url(request, default: str) -> str:
    """Where to go back to: the form's `next` if it stays on this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def form_errors_add(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: per field where the field exists, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def action_page(request, form_class, run, *, title: str, subject: str, back_url: str, done: str, initial=None,
                form_kwargs=None):
    """GET shows the form; POST runs `run(cleaned_data)` and goes back, or shows the form with its errors (400)."""
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                run(form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, done)
                return redirect(next_url(request, back_url))
        status = 400
    else:
        form = form_class(initial=initial, **form_kwargs)
        status = 200
    context = {
        "form": form,
        "title": title,
        "subject": subject,
        "back_url": next_url(request, back_url),
        "multipart": any(getattr(f.field.widget, "needs_multipart_form", False) for f in form),
    }
    return render(request, ACTION_TEMPLATE, context, status=status)
