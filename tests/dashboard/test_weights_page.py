"""系统管理 · 考核权重: the office sets the weights in the app; bad numbers are refused in Chinese."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.display import present
from audit.models import AuditEntry
from dashboard.models import AssessmentWeights
from dashboard.selectors import weights_get

pytestmark = pytest.mark.django_db

GOOD = {"tasks_on_time": "3", "reports_on_time": "1", "reports_returned": "2.5", "supervision_cleared": "2", "note": ""}


def test_the_office_changes_a_weight_and_the_log_reads_old_to_new(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("dashboard:weights")).status_code == 200
    response = client.post(reverse("dashboard:weights"), GOOD)
    assert response.status_code == 302
    assert weights_get().reports_returned == Decimal("2.50")
    row = present(AuditEntry.objects.get(action="dashboard.weights.changed"))
    assert row.action == "修改考核权重"
    assert row.details == ["未被退回率权重:1.00 → 2.50"]


@pytest.mark.parametrize("value, message", [
    ("-1", "不能为负数"), ("NaN", "请填写数字"), ("inf", "请填写数字"), ("abc", "请填写数字"), ("", "请填写权重"),
    ("1.234", "两位小数"), ("1000", "不能超过"),
])
def test_a_bad_weight_is_a_chinese_message_and_nothing_is_saved(client, office_user, value, message):
    client.force_login(office_user)
    response = client.post(reverse("dashboard:weights"), {**GOOD, "reports_returned": value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["reports_returned"])
    assert not AssessmentWeights.objects.exists()
    assert not AuditEntry.objects.filter(action="dashboard.weights.changed").exists()


def test_the_dashboard_points_the_office_at_the_page_not_the_admin(client, office_user, campaign):
    client.force_login(office_user)
    page = client.get(reverse("dashboard:page")).content.decode()
    assert reverse("dashboard:weights") in page and "数据维护" not in page and "/admin/" not in page
