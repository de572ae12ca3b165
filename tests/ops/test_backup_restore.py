"""A full round trip on PostgreSQL: backup, restore into a fresh database, compare."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from ops.backup import MANIFEST, installation_has_data
from reports.attachments import attachment_store
from reports.models import Attachment, ProgressReport
from reports.periods import period_get
from reports.services import ReportInput, report_save
from tasks.models import Task

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_pg_dump_is_not_older_than_the_server(db):
    import re

    client = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    client_major = int(re.search(r"\) (\d+)\.", client).group(1))
    connection.ensure_connection()
    server_major = connection.connection.server_version // 10000
    assert client_major >= server_major, f"pg_dump {client_major} is older than the server {server_major}"


@pytest.fixture
def fresh_database():
    """A new, empty database on the same server; dropped afterwards."""
    params = connection.settings_dict
    name = f"{params['NAME']}_restore_{secrets.token_hex(3)}"
    admin = psycopg2.connect(dbname="postgres", user=params["USER"], host=params["HOST"],
                             port=params["PORT"] or 5432, password=params["PASSWORD"] or None)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def manage_in(database: str, media_root: Path, *args):
    params = connection.settings_dict
    url = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/{database}"
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
           "DJANGO_SETTINGS_MODULE": "yinzhou_campaign.settings", "DEBUG": "0",
           "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "x",
           "DATABASE_URL": url, "MEDIA_ROOT": str(media_root)}
    if params["PASSWORD"]:
        env["PGPASSWORD"] = params["PASSWORD"]
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def media_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_keeps_every_row_and_file(campaign, liaison, tmp_path, fresh_database):
    task = Task.objects.get(campaign=campaign, key="5.6")
    period = period_get(campaign, "2026Q4")
    report = report_save(user=liaison, task=task, period=period, submit=True,
                         data=ReportInput(status="in_progress", progress="已组织竞赛两场,覆盖企业 120 家", percent=60))
    attachment = attachment_store(uploaded=SimpleUploadedFile("竞赛方案.pdf", PDF), content_type="application/pdf",
                                  user=liaison, report=report)
    call_command("backup_data", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["engine"] == "postgresql"
    assert manifest["counts"]["tasks.task"] == 72
    assert manifest["counts"]["reports.progressreport"] == ProgressReport.objects.count() == 1
    assert manifest["counts"]["audit.auditentry"] == AuditEntry.objects.count() > 0

    restored_media = tmp_path / "restored-media"
    result = manage_in(fresh_database, restored_media, "restore_data", str(folder))
    assert result.returncode == 0, result.stderr
    assert "已恢复" in result.stdout

    params = connection.settings_dict
    with psycopg2.connect(dbname=fresh_database, user=params["USER"], host=params["HOST"], port=params["PORT"] or 5432) as restored:
        cur = restored.cursor()
        cur.execute("SELECT count(*) FROM tasks_task")
        assert cur.fetchone()[0] == 72
        cur.execute("SELECT progress, percent, version, state FROM reports_progressreport WHERE id = %s", [report.pk])
        report.refresh_from_db()
        assert cur.fetchone() == (report.progress, report.percent, report.version, report.state)
        cur.execute("SELECT action, username FROM audit_auditentry ORDER BY id")
        assert cur.fetchall() == list(AuditEntry.objects.order_by("id").values_list("action", "username"))
        cur.execute("SELECT file FROM reports_attachment WHERE id = %s", [attachment.pk])
        assert cur.fetchone()[0] == Attachment.objects.get(pk=attachment.pk).file.name
        # The append-only guard came back with the data.
        with pytest.raises(psycopg2.errors.RestrictViolation):
            cur.execute("DELETE FROM audit_auditentry")
    assert media_files(restored_media) == media_files(Path(settings.MEDIA_ROOT))
    assert (restored_media / attachment.file.name).read_bytes() == PDF

    # The restored installation now has data: a second restore is refused without --force.
    again = manage_in(fresh_database, restored_media, "restore_data", str(folder))
    assert again.returncode != 0
    assert "--force" in again.stderr
    forced = manage_in(fresh_database, restored_media, "restore_data", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_installation_with_data_and_a_damaged_backup(campaign, tmp_path):
    call_command("backup_data", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    assert installation_has_data()
    with pytest.raises(CommandError, match="--force"):
        call_command("restore_data", str(folder))
    with (folder / "media.tar.gz").open("ab") as f:
        f.write(b"garbage")
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore_data", str(folder), "--force")
    assert Task.objects.count() == 72


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_readable_by_its_owner_only_whatever_the_umask(campaign, tmp_path):
    previous = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    try:
        call_command("backup_data", str(tmp_path))
    finally:
        os.umask(previous)
    (folder,) = tmp_path.iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700
    modes = {path.name: path.stat().st_mode & 0o777 for path in folder.iterdir()}
    assert modes == {"database.dump": 0o600, "media.tar.gz": 0o600, MANIFEST: 0o600}
