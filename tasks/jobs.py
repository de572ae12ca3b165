"""Celery jobs of the tasks app: reading and applying large task-list imports in the background."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from .models import TaskImport, TaskImportState

logger = logging.getLogger(__name__)


@shared_task(name="tasks.read_task_import")
def read_task_import(task_import_id: int) -> None:
    """Read an uploaded workbook into its preview. Idempotent: a finished read is not redone."""
    from .excel.services import task_import_read

    task_import = TaskImport.objects.filter(pk=task_import_id).first()
    if task_import is None or task_import.state not in (TaskImportState.QUEUED, TaskImportState.READING):
        return
    task_import_read(task_import=task_import)


@shared_task(name="tasks.apply_task_import")
def apply_task_import(task_import_id: int) -> None:
    """Apply a confirmed import (all or nothing). Idempotent: an applied import is not applied again."""
    from .excel.services import ImportRejected, task_import_apply

    task_import = TaskImport.objects.filter(pk=task_import_id).select_related("created_by").first()
    if task_import is None or task_import.state != TaskImportState.APPLYING:
        return
    try:
        task_import_apply(task_import=task_import, user=task_import.created_by)
    except ImportRejected as error:
        logger.info("task import %s rejected: %s", task_import_id, error)


def queue_or_run(job, task_import_id: int) -> None:
    """After commit, queue the job; if the broker cannot take it, do the work right here instead.

    The upload is already stored, so nothing is lost either way; the page only takes longer.
    """
    from yinzhou_campaign.queueing import enqueue

    def send() -> None:
        if not enqueue(job, task_import_id):
            job.run(task_import_id)

    transaction.on_commit(send)
