"""Reporting periods are made by the services that create or change a campaign, never by the
pages and jobs that read them (issue 18, item 7)."""

import datetime

from django.urls import reverse

from reports.models import ReportingPeriod
from reports.periods import periods_of
from tasks.lifecycle import campaign_changed
from tasks.models import Campaign


def test_the_seed_makes_every_quarter_of_the_campaign(campaign):
    codes = [p.code for p in periods_of(campaign)]
    assert codes[0] == "2024Q1" and codes[-1] == "2026Q4" and len(codes) == 12


def test_reading_pages_makes_no_period(campaign, office_user, client):
    made = ReportingPeriod.objects.count()
    client.force_login(office_user)
    for url in ("/dashboard/?campaign=all", reverse("governance:periods"), reverse("reports:review_queue")):
        assert client.get(url).status_code == 200, url
    assert ReportingPeriod.objects.count() == made


def test_a_campaign_made_outside_the_services_is_healed_with_a_warning_not_a_500(campaign, office_user, client, caplog):
    bare = Campaign.objects.create(name="未经服务创建的方案", short_name="裸方案", start_date=datetime.date(2026, 1, 1),
                                   end_date=datetime.date(2026, 12, 31))
    client.force_login(office_user)
    assert client.get(reverse("reports:review_queue"), {"campaign": bare.pk}).status_code == 200
    assert [p.code for p in periods_of(bare)] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert "has no reporting periods" in caplog.text


def test_a_changed_campaign_gets_its_missing_periods(campaign):
    campaign.end_date = datetime.date(2027, 6, 30)
    campaign.save(update_fields=["end_date"])
    campaign_changed(campaign)
    assert [p.code for p in periods_of(campaign)][-2:] == ["2027Q1", "2027Q2"]
