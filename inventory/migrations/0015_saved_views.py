"""Saved views: each user's named filters, sort, columns and page size of a list page."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0014_search_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "list_key",
                    models.CharField(
                        choices=[
                            ("engine_registry", "Engines"),
                            ("available_model_registry", "Catalog"),
                            ("model_registry", "Registered models"),
                        ],
                        max_length=40,
                        verbose_name="list",
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                ("filters", models.TextField(blank=True, max_length=4000)),
                ("sort", models.CharField(blank=True, max_length=100)),
                ("columns", models.CharField(blank=True, max_length=1000)),
                (
                    "page_size",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(200),
                        ],
                    ),
                ),
                ("is_default", models.BooleanField(default=False, verbose_name="default")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("list_key", django.db.models.functions.text.Lower("name")),
                "constraints": [
                    models.UniqueConstraint(
                        models.F("user"),
                        models.F("list_key"),
                        django.db.models.functions.text.Lower("name"),
                        name="saved_view_unique_name",
                        violation_error_message="you already have a saved view with this name",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("is_default", True)),
                        fields=("user", "list_key"),
                        name="saved_view_one_default",
                        violation_error_message="only one saved view per list can be the default",
                    ),
                ],
            },
        ),
    ]
