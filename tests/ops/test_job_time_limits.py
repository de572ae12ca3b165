"""Every Celery job has a time limit (issue 18): a job stuck on a dead socket cannot hold a worker
for ever, and no limit lets a job outlive the broker's visibility timeout (redelivered twice)."""

from django.conf import settings

from yinzhou_campaign.celery import app


def our_jobs():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_job_has_a_soft_and_a_hard_limit_below_the_visibility_timeout():
    jobs = our_jobs()
    assert {"reminders.send_daily_reminders", "dashboard.jobs.build_rollup", "tasks.apply_task_import"} <= set(jobs)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name, job in jobs.items():
        soft = job.soft_time_limit or app.conf.task_soft_time_limit
        hard = job.time_limit or app.conf.task_time_limit
        assert soft and hard, name
        assert soft < hard < visibility, (name, soft, hard, visibility)


def test_the_limits_come_from_the_settings():
    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT == 900
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT == 960
