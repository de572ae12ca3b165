"""One campaign's dashboard is kept per data fingerprint (issue 20): a change shows at once, and the
kept HTML never carries one reader's CSRF token to another."""
import re

import pytest
from django.urls import reverse

from yinzhou_campaign.kept_pages import CSRF_PLACEHOLDER

from .conftest import add_reports

pytestmark = pytest.mark.django_db


def without_tokens(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|csrf-token" content=)"[^"]+"', r"\1", html)


def figure(html: str, key: str) -> str:
    return re.search(rf'data-report-figure="{key}">([^<]*)<', html).group(1)


def test_a_kept_dashboard_shows_a_change_at_once(client, office_user, campaign):
    client.force_login(office_user)
    url = reverse("dashboard:page") + f"?campaign={campaign.pk}&period=2026Q3"
    before = client.get(url).content.decode()
    assert without_tokens(client.get(url).content.decode()) == without_tokens(before)  # kept, and the same
    add_reports(campaign, office_user, "2026Q3")  # new reports: a new data fingerprint
    after = client.get(url).content.decode()
    assert figure(after, "submitted") != figure(before, "submitted")


def test_each_request_gets_its_own_csrf_token_in_the_kept_page(client, office_user, campaign):
    add_reports(campaign, office_user, "2026Q3")
    client.force_login(office_user)
    url = reverse("dashboard:page") + f"?campaign={campaign.pk}&period=2026Q3"
    first, second = client.get(url), client.get(url)
    for response in (first, second):
        html = response.content.decode()
        assert CSRF_PLACEHOLDER not in html and "\x00" not in html
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert len(tokens) > 1 and all(len(token) == 64 for token in tokens)  # the 催报 forms and the navbar's
    assert "csrftoken" in second.cookies or "csrftoken" in client.cookies
