"""The same file (same SHA-256) at most once per report.

Reports may already hold a file twice (nothing refused it before): the later copies' rows are
removed first, keeping the first upload of each file; their stored files stay on disk (same bytes
as the kept one) and nothing a reader sees is lost.
"""

from django.db import migrations, models


def drop_repeated_files(apps, schema_editor):
    Attachment = apps.get_model("reports", "Attachment")
    seen = set()
    repeated = []
    rows = Attachment.objects.filter(report__isnull=False).order_by("report_id", "sha256", "uploaded_at", "id")
    for pk, report_id, sha256 in rows.values_list("pk", "report_id", "sha256").iterator():
        if (report_id, sha256) in seen:
            repeated.append(pk)
        else:
            seen.add((report_id, sha256))
    Attachment.objects.filter(pk__in=repeated).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_supervision_receipts"),
    ]

    operations = [
        migrations.RunPython(drop_repeated_files, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="attachment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("report__isnull", False)),
                fields=("report", "sha256"),
                name="attachment_file_once_per_report",
            ),
        ),
    ]
