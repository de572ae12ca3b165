import pytest
from django.urls import reverse

from tests.reports.pages_helpers import task_named, write_report

pytestmark = pytest.mark.django_db


def test_every_page_renders_for_its_audience(client, campaign, liaison, other_liaison, office_user, viewer, designate):
    designate("5.6", "区农业农村局")
    task = task_named(campaign, "5.6")
    report = write_report(liaison, task)
    write_report(other_liaison, task)
    client.force_login(liaison)
    at = f"/tasks/{campaign.pk}/5.6"
    for url in ["/my/", "/tasks/", f"{at}/", f"{at}/report/", f"{at}/report/2026Q3/", "/help/status/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    client.force_login(office_user)
    for url in ["/review/", f"/review/{report.pk}/", "/reports/missing/?period=2026Q4", "/tasks/?state=overdue", f"{at}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert reverse("home") == "/"
