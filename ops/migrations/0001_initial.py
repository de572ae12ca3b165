from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, unique=True, verbose_name="组件")),
                ("last_seen", models.DateTimeField(verbose_name="最近一次")),
            ],
            options={"verbose_name": "心跳", "verbose_name_plural": "心跳"},
        ),
    ]
