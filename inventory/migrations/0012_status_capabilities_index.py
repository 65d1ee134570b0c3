"""The status index of registered models also carries ``capabilities``, so that a count by
status and capability is an index-only scan on PostgreSQL instead of a visit of every heap
page holding a matching row (other databases create it without the included column)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0005_canonical_names_and_limits")]

    operations = [
        migrations.RemoveIndex(model_name="registeredmodel", name="model_regis_status_7c93d5_idx"),
        migrations.AddIndex(
            model_name="registeredmodel",
            index=models.Index(
                fields=["status"], include=["capabilities"], name="model_reg_status_caps_idx"
            ),
        ),
    ]
