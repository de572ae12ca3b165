"""The Django admin is for IT superusers only, and every edit made there lands in the audit log.

Checked over every model registered in the admin (ours and third-party ones), so a model added
later without `AuditedAdminMixin` fails here: a change posted through the change form, or a delete
where the admin allows no change, must leave an `…_in_admin` entry naming the object.
"""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, token_digest
from audit.admin_mixins import AuditedAdminMixin
from audit.display import action_label
from audit.models import AuditEntry
from dashboard.models import AssessmentWeights
from departments.models import ExternalIdentity, IdentityProvider
from reminders.models import ReminderRule, WorkingDayOverride
from reports.models import Attachment, ExtensionRequest, SignOff, Supervision
from reports.periods import periods_ensure
from tests.audit.admin_helpers import admin_form_data

pytestmark = pytest.mark.django_db

GOVERNANCE = [Supervision, SignOff, ExtensionRequest, Attachment]


@pytest.fixture
def one_of_each(campaign, office_user, liaison):
    """At least one row of every model the admin may edit or delete."""
    from indicators.seeding import indicators_seed

    periods_ensure(campaign)
    indicators_seed()
    AssessmentWeights.objects.get_or_create(name="default")
    ReminderRule.objects.get_or_create(kind=ReminderRule._meta.get_field("kind").choices[0][0])
    WorkingDayOverride.objects.create(date=datetime.date(2027, 2, 7), is_working_day=True, note="春节调休")
    ApiToken.objects.create(user=liaison, digest=token_digest("x" * 40))
    ExternalIdentity.objects.create(user=liaison, provider=IdentityProvider.ZWDING, subject="zzd-1001", display_name="张三")
    now = timezone.now()
    AccessAttempt.objects.create(username="yjj", ip_address="10.0.0.1", user_agent="t", failures_since_start=3, attempt_time=now)
    AccessLog.objects.create(username="yjj", ip_address="10.0.0.1", user_agent="t", attempt_time=now)
    AccessFailureLog.objects.create(username="yjj", ip_address="10.0.0.1", user_agent="t", attempt_time=now, locked_out=False)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_registered_admin_is_audited():
    plain = [m._meta.label for m, a in admin.site._registry.items() if not isinstance(a, AuditedAdminMixin)]
    assert plain == []


def _admins(user):
    request = _request(user)
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        yield model, model_admin, request


def test_every_admin_change_or_delete_leaves_an_audit_entry(client, admin_user, one_of_each):
    client.force_login(admin_user)
    checked = []
    for model, model_admin, request in _admins(admin_user):
        opts = model._meta
        obj = model._default_manager.order_by("pk").first()
        if model_admin.has_change_permission(request, obj):
            assert obj is not None, f"no {opts.label} row to edit: add one to the fixture"
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            response = client.post(url, admin_form_data(client.get(url)))
            assert response.status_code == 302, (opts.label, response.context and response.context["adminform"].form.errors)
            verb = "changed"
        elif model_admin.has_delete_permission(request, obj) and obj is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
            assert client.post(url, {"post": "yes"}).status_code == 302, opts.label
            verb = "deleted"
        else:
            continue
        entry = AuditEntry.objects.filter(action=f"{opts.label_lower}.{verb}_in_admin").latest("id")
        assert entry.user == admin_user and entry.object_id == str(obj.pk), opts.label
        assert action_label(entry.action).startswith("后台"), entry.action
        checked.append(opts.label)
    # Our own editable tables are among them (not only third-party ones).
    assert {"departments.Unit", "departments.User", "tasks.Campaign", "tasks.Task", "reports.ReportingPeriod",
            "dashboard.AssessmentWeights", "reminders.ReminderRule", "reminders.WorkingDayOverride",
            "api.ApiToken", "axes.AccessAttempt"} <= set(checked)


def test_an_admin_change_records_old_and_new_values_in_words(client, admin_user, campaign):
    weights, _ = AssessmentWeights.objects.get_or_create(name="default")
    client.force_login(admin_user)
    url = reverse("admin:dashboard_assessmentweights_change", args=[weights.pk])
    data = admin_form_data(client.get(url))
    data["reports_returned"] = "2.50"
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="dashboard.assessmentweights.changed_in_admin")
    from audit.display import present

    row = present(entry)
    assert row.action == "后台修改考核权重"
    assert row.details == ["未被退回率权重:1.00 → 2.50"]


@pytest.mark.parametrize("model", GOVERNANCE, ids=lambda m: m.__name__)
def test_governance_rows_are_read_only_in_the_admin(client, admin_user, model):
    model_admin = admin.site._registry[model]
    request = _request(admin_user)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    client.force_login(admin_user)
    opts = model._meta
    assert client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"), {}).status_code == 403


@pytest.mark.parametrize("who", ["office_user", "liaison", "viewer"])
def test_the_admin_is_for_superusers_only_even_with_the_staff_flag(client, who, request):
    user = request.getfixturevalue(who)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(reverse("admin:departments_unit_changelist")).status_code == 302


def test_a_superuser_gets_in(admin_client):
    assert admin_client.get("/admin/").status_code == 200
