"""我的任务 of a unit with duties in many active campaigns (a city's deployment, issue 20): a few
campaigns a page, the counts of the page's campaigns, the filters kept by the page links."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.views import MY_TASKS_CAMPAIGNS_PER_PAGE
from tests.campaigns_support import winter_campaign_create

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
URL = reverse("reports:my_tasks")


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def specials(count: int) -> list:
    """`count` more active campaigns led in part by 区应急管理局, the newest last."""
    return [
        winter_campaign_create(name=f"鄞州区2026年第{n}号安全生产专项行动", short_name=f"专项{n}")
        for n in range(1, count + 1)
    ]


def section_names(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<section class="mb-3" aria-label="')[1:]]


def test_a_unit_in_five_campaigns_sees_three_then_two(client, liaison, campaign):
    made = specials(4)  # with the 2024 plan: 5 campaigns
    client.force_login(liaison)
    first = client.get(URL).content.decode()
    assert MY_TASKS_CAMPAIGNS_PER_PAGE == 3
    assert "共 5 个进行中的行动方案,本页 3 个" in first
    assert "(本页方案)" in first
    assert "第 1 / 2 页" in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second
    shown = section_names(first) + section_names(second)
    assert len(shown) == 5 and len(set(shown)) == 5
    assert set(shown) == {campaign.name, *(c.name for c in made)}


def test_a_bad_page_number_shows_a_page_not_an_error(client, liaison, campaign):
    specials(4)
    client.force_login(liaison)
    assert "第 1 / 2 页" in client.get(URL, {"page": "x"}).content.decode()
    assert "第 2 / 2 页" in client.get(URL, {"page": 99}).content.decode()


def test_choosing_one_campaign_shows_it_alone_without_pages(client, liaison, campaign):
    made = specials(4)
    client.force_login(liaison)
    page = client.get(URL, {"campaign": made[0].pk}).content.decode()
    assert section_names(page) == [made[0].name]
    assert "第 1 / " not in page and "本页方案" not in page


def test_the_page_links_keep_the_filters(client, liaison, campaign):
    specials(4)
    client.force_login(liaison)
    page = client.get(URL, {"role": "lead"}).content.decode()
    assert 'href="?role=lead&amp;page=2"' in page


def test_up_to_three_campaigns_are_one_page_as_before(client, liaison, campaign):
    specials(2)
    client.force_login(liaison)
    page = client.get(URL).content.decode()
    assert len(section_names(page)) == 3
    assert "(全部方案)" in page and "第 1 / " not in page


def test_the_queries_do_not_grow_with_the_number_of_campaigns(client, liaison, campaign):
    specials(4)
    client.force_login(liaison)

    def count():
        from django.core.cache import cache

        cache.clear()  # computed, not kept
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    with_five = count()
    specials_more = [winter_campaign_create(name=f"鄞州区2027年第{n}号专项行动", short_name=f"新{n}") for n in (1, 2, 3)]
    assert len(specials_more) == 3
    assert count() == with_five
