"""Liveness records written by the periodic heartbeat job, read by /healthz."""

from django.db import models


class Heartbeat(models.Model):
    """The last time a component showed it is alive: "beat" (scheduled the job), "worker" (ran it)."""

    name = models.CharField("组件", max_length=50, unique=True)
    last_seen = models.DateTimeField("最近一次")

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"

    def __str__(self) -> str:
        return f"{self.name} {self.last_seen:%Y-%m-%d %H:%M:%S}"
