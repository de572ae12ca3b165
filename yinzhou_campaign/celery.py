"""The Celery app. Jobs live in each app's `jobs.py` (never `tasks/tasks.py`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinzhou_campaign.settings")

app = Celery("yinzhou_campaign")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
