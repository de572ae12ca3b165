"""The task filter's selects are rendered in Python (PlainSelect) with the same meaning as Django's."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from yinzhou_campaign.widgets import PlainSelect


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, sorted(attrs, key=lambda a: a[0])))

    def handle_data(self, data):
        self.found.append(("text", data))


def parsed(html: str):
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_a_plain_select_means_the_same_as_djangos_select():
    choices = [("", "全部"), (1, "a<b\"'&"), ("分组", [(2, "区应急管理局"), (3, "y")])]
    attrs = {"class": "form-select", "required": True, "disabled": False}
    django_select = forms.Select(attrs=attrs, choices=choices).render("unit", 2, attrs={"id": "id_unit"})
    plain_select = PlainSelect(attrs=attrs, choices=choices).render("unit", 2, attrs={"id": "id_unit"})
    assert parsed(plain_select) == parsed(django_select.replace("\n", "").replace("  ", ""))
    assert '<option value="2" selected>区应急管理局</option>' in plain_select
    assert "a&lt;b&quot;&#x27;&amp;" in plain_select


@pytest.mark.django_db
def test_the_unit_filter_keeps_the_chosen_unit_selected(client, liaison, unit):
    client.force_login(liaison)
    chosen = unit("区农业农村局")
    response = client.get(reverse("reports:task_list"), {"unit": chosen.pk})
    assert f'<option value="{chosen.pk}" selected>区农业农村局</option>' in response.content.decode()
