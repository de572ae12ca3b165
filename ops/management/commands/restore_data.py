from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by backup_data into this installation. Refuses if the database "
        "or MEDIA_ROOT already holds data, unless --force (which replaces it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup_dir", type=Path)
        parser.add_argument("--force", action="store_true", help="overwrite an installation that has data")

    def handle(self, *args, backup_dir: Path, force: bool, **options):
        try:
            result = backup_restore(folder=backup_dir, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.mismatches:
            lines = ", ".join(f"{k}: 备份 {a} 行, 恢复后 {b} 行" for k, (a, b) in result.mismatches.items())
            raise CommandError(f"恢复后的行数与备份不符:{lines}")
        total = sum(result.counts.values())
        self.stdout.write(self.style.SUCCESS(f"已恢复 {total} 行数据和 {result.media_files} 个附件文件。"))
