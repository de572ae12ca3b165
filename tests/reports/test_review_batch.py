"""Review at speed: approve several submitted reports at once, and go on to the next one."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from reports.models import ProgressReport, ReportReview, ReportState
from reports.services import report_review
from tests.reports.pages_helpers import task_named, write_report

pytestmark = pytest.mark.django_db

BATCH = "/review/batch/"


@pytest.fixture
def three(campaign, liaison):
    """Three submitted reports of 区应急管理局, oldest first (5.6, 7.5, 5.7)."""
    return [write_report(liaison, task_named(campaign, key)) for key in ("5.6", "7.5", "5.7")]


def picks(*reports):
    return [f"{r.pk}:{r.version}" for r in reports]


def test_the_office_approves_several_at_once_each_as_on_its_page(client, office_user, three):
    client.force_login(office_user)
    response = client.post(BATCH, {"report": picks(*three), "next": "/review/?state=submitted"}, follow=True)
    assert response.redirect_chain[-1][0] == "/review/?state=submitted"
    assert "已审核通过 3 份报送。" in response.content.decode()
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.APPROVED}
    # Each one like an approval on its own page: a review record, a new version, an audit entry.
    assert ReportReview.objects.filter(decision="approve").count() == 3
    assert AuditEntry.objects.filter(action="reports.report.approved").count() == 3
    for report in ProgressReport.objects.all():
        assert report.versions.filter(action="approved").count() == 1 and report.reviewed_by == office_user


def test_a_report_changed_meanwhile_is_skipped_and_named(client, office_user, liaison, campaign, three):
    seen = picks(*three)  # the queue as the reviewer loaded it
    returned, edited, fine = three
    report_review(user=office_user, report=returned, decision="return", comment="请补充数据")
    write_report(liaison, task_named(campaign, "7.5"), progress="审核前又改了")  # version 2
    client.force_login(office_user)
    html = client.post(BATCH, {"report": seen}, follow=True).content.decode()
    assert "已审核通过 1 份报送。" in html
    assert "2 份未通过,已跳过" in html
    assert "5.6 区应急管理局(当前为“被退回”" in html and "7.5 区应急管理局(审核期间被联络员修改" in html
    states = dict(ProgressReport.objects.values_list("task__key", "state"))
    assert states == {"5.6": ReportState.RETURNED, "7.5": ReportState.SUBMITTED, "5.7": ReportState.APPROVED}


@pytest.mark.parametrize("who", ["liaison", "viewer", "other_liaison"])
def test_nobody_but_the_office_approves_in_batch(request, who, three):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert client.post(BATCH, {"report": picks(*three)}).status_code == 403
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}
    assert not ReportReview.objects.exists()


def test_a_batch_needs_a_pick_and_a_well_formed_one(client, office_user, three):
    client.force_login(office_user)
    assert "请先勾选" in client.post(BATCH, {}, follow=True).content.decode()
    assert "所选报送有误" in client.post(BATCH, {"report": ["abc", *picks(three[0])]}, follow=True).content.decode()
    assert client.get(BATCH).status_code == 405
    assert not ReportReview.objects.exists()


def test_the_batch_refuses_an_offsite_next(client, office_user, three):
    client.force_login(office_user)
    response = client.post(BATCH, {"report": picks(three[0]), "next": "https://evil.example/"})
    assert response["Location"] == reverse("reports:review_queue")


def test_the_queue_offers_a_box_only_for_submitted_reports(client, office_user, three):
    report_review(user=office_user, report=three[0], decision="approve")
    client.force_login(office_user)
    html = client.get("/review/", {"state": "all"}).content.decode()
    assert f'value="{three[0].pk}:' not in html
    assert f'value="{three[1].pk}:{three[1].version}" form="batch-form"' in html


def test_after_a_decision_the_next_report_with_the_same_filters_opens(client, office_user, other_liaison, campaign, three):
    farm = write_report(other_liaison, task_named(campaign, "5.8"))  # another unit: filtered out
    client.force_login(office_user)
    unit = three[0].unit_id
    queue = client.get("/review/", {"unit": unit})
    first_link = reverse("reports:review_detail", args=[three[0].pk])
    assert f'{first_link}?unit={unit}&amp;campaign={campaign.pk}' in queue.content.decode()
    query = f"?unit={unit}&campaign={campaign.pk}"
    response = client.post(first_link + query, {"decision": "approve", "version": three[0].version})
    assert response["Location"] == reverse("reports:review_detail", args=[three[1].pk]) + query
    # A return, with its reason, also goes on; the last one goes back to the filtered queue.
    response = client.post(
        reverse("reports:review_detail", args=[three[1].pk]) + query,
        {"decision": "return", "comment": "请补充", "version": three[1].version},
    )
    assert response["Location"] == reverse("reports:review_detail", args=[three[2].pk]) + query
    response = client.post(
        reverse("reports:review_detail", args=[three[2].pk]) + query, {"decision": "approve", "version": three[2].version}
    )
    assert response["Location"] == "/review/" + query
    farm.refresh_from_db()
    assert farm.state == ReportState.SUBMITTED


def test_the_report_page_links_to_the_next_one(client, office_user, three):
    client.force_login(office_user)
    response = client.get(reverse("reports:review_detail", args=[three[1].pk]))
    assert response.context["next_id"] == three[2].pk
    last = client.get(reverse("reports:review_detail", args=[three[2].pk]))
    assert last.context["next_id"] == three[0].pk  # wraps round to the oldest still waiting
