"""Consistent backups of the database and the uploaded files, and their restore.

A backup is a folder holding:
- `database.dump`     PostgreSQL: `pg_dump -Fc` of one snapshot (or `database.sqlite3`, SQLite's backup API);
- `media.tar.gz`      every uploaded file under MEDIA_ROOT;
- `manifest.json`     when, which engine, row counts per model (taken in the dumped snapshot) and
                      the sha256 of each file, so a restore can prove it got what was saved.

pg_dump/pg_restore must be at least the server's major version (check `pg_dump --version`).

A backup holds everyone's personal data (names, phones, e-mails, password hashes), the audit log
and the API tokens' records: the folder is created 0700 and each file made 0600, whatever the
umask, so only the account that runs the backups can read it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_TAR = "media.tar.gz"
FORMAT_VERSION = 1
FOLDER_MODE = 0o700
FILE_MODE = 0o600

# Rows `migrate` itself creates, or that are only transient: their presence does not make an
# installation "not empty", and their counts are not compared after a restore.
_IGNORED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "ops.heartbeat",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in plain words."""


@dataclass
class RestoreResult:
    counts: dict[str, int]
    mismatches: dict[str, tuple[int, int]]
    media_files: int


def _models():
    return [
        m for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in _IGNORED_MODELS
    ]


def model_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    counts = {}
    for model in _models():
        try:
            counts[model._meta.label_lower] = model._base_manager.using(using).count()
        except DatabaseError:  # table missing: a database nothing was restored into yet
            counts[model._meta.label_lower] = 0
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    env["PGCONNECT_TIMEOUT"] = "10"
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"找不到 {args[0]}:请安装 postgresql-client(版本不低于数据库服务器)")
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败:{result.stderr.strip()[-2000:]}")


def _dump_postgresql(connection, target: Path) -> dict[str, int]:
    """pg_dump of one exported snapshot; the row counts are read in that same snapshot."""
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(
            ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(target)],
            _pg_env(connection.settings_dict),
        )
        return model_counts(connection.alias)


def _dump_sqlite(connection, target: Path) -> dict[str, int]:
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # SQLite's online backup API: a consistent copy while in use
    finally:
        copy.close()
        source.close()
    return model_counts(connection.alias)


def _tar_media(target: Path) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    files = 0
    with tarfile.open(target, "w:gz") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    files += 1
    return files


def backup_create(*, out_dir: Path, using: str = DEFAULT_DB_ALIAS) -> Path:
    """Write a new backup folder inside `out_dir` and return its path."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("备份须在事务之外运行(它自己打开一个只读快照)")
    started = timezone.now()
    folder = Path(out_dir) / f"yinzhou-backup-{timezone.localtime(started):%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False, mode=FOLDER_MODE)  # the umask can only take bits away
    try:
        if connection.vendor == "postgresql":
            database_file = PG_DUMP
            counts = _dump_postgresql(connection, folder / database_file)
        elif connection.vendor == "sqlite":
            database_file = SQLITE_COPY
            counts = _dump_sqlite(connection, folder / database_file)
        else:
            raise BackupError(f"不支持的数据库类型:{connection.vendor}")
        media_files = _tar_media(folder / MEDIA_TAR)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": started.isoformat(),
            "engine": connection.vendor,
            "database_file": database_file,
            "counts": counts,
            "media_files": media_files,
            "sha256": {name: _sha256(folder / name) for name in (database_file, MEDIA_TAR)},
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        for path in folder.iterdir():
            path.chmod(FILE_MODE)  # also private once copied elsewhere with its modes (rsync -a, cp -p)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave a half backup that looks complete
        raise
    return folder


def backup_read_manifest(folder: Path) -> dict:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} 不是完整的备份(无法读取 {MANIFEST}:{exc})") from exc
    for name, expected in manifest["sha256"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"备份文件 {name} 缺失或已损坏(sha256 不符)")
    return manifest


def installation_has_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    return any(model_counts(using).values()) or any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


def _restore_postgresql(connection, dump: Path) -> None:
    connection.close()  # pg_restore --clean drops tables this process may hold open
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", "-d", connection.settings_dict["NAME"], str(dump)],
        _pg_env(connection.settings_dict),
    )


def _restore_sqlite(connection, copy_path: Path) -> None:
    connection.close()
    source = sqlite3.connect(copy_path)
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _untar_media(archive: Path) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        tar.extractall(media_root, members=members, filter="data")  # no absolute paths, no "..", no links
    return len(members)


def backup_restore(*, folder: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Restore a backup into this installation, which must be empty unless `force`."""
    folder = Path(folder)
    manifest = backup_read_manifest(folder)
    connection = connections[using]
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['engine']},当前数据库是 {connection.vendor},不能直接恢复")
    if not force and installation_has_data(using):
        raise BackupError("当前系统中已有数据;恢复会覆盖它们。确认要覆盖时请加 --force")
    database_file = folder / manifest["database_file"]
    if connection.vendor == "postgresql":
        _restore_postgresql(connection, database_file)
    else:
        _restore_sqlite(connection, database_file)
    media_files = _untar_media(folder / MEDIA_TAR)
    counts = model_counts(using)
    mismatches = {
        label: (expected, counts.get(label, 0))
        for label, expected in manifest["counts"].items()
        if counts.get(label, 0) != expected
    }
    return RestoreResult(counts=counts, mismatches=mismatches, media_files=media_files)
