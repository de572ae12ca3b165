"""Helpers of the API tests."""

from django.urls import reverse

from tasks.selectors import campaign_current


def task_api_url(name: str, key: str) -> str:
    """An API URL naming a task by its campaign and key, in the (only, newest) active campaign."""
    return reverse(name, args=[campaign_current().pk, key])
