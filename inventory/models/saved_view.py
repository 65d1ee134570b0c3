"""SavedView: a user's named list view (filters, sort, columns, page size) of one list page.

Saved views are preferences of their owner, not inventory: nobody else sees them, and they
are kept outside the change history (see README, "Saved views").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.http import QueryDict

from ..listing import MAX_PAGE_SIZE, MIN_PAGE_SIZE


class SavedView(models.Model):
    class List(models.TextChoices):
        ENGINES = "engine_registry", "Engines"
        CATALOG = "available_model_registry", "Catalog"
        MODELS = "model_registry", "Registered models"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_key = models.CharField("list", max_length=40, choices=List.choices)
    name = models.CharField(max_length=100)
    #: The filter parameters of the list's query string (``status=active&capabilities=chat``).
    filters = models.TextField(blank=True, max_length=4000)
    sort = models.CharField(max_length=100, blank=True)
    #: Comma-separated column names; empty for the list's default columns.
    columns = models.CharField(max_length=1000, blank=True)
    page_size = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_PAGE_SIZE), MaxValueValidator(MAX_PAGE_SIZE)],
    )
    #: Opening the list without parameters applies the owner's default view of that list.
    is_default = models.BooleanField("default", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("list_key", Lower("name"))
        constraints = [
            models.UniqueConstraint(
                "user",
                "list_key",
                Lower("name"),
                name="saved_view_unique_name",
                violation_error_message="you already have a saved view with this name",
            ),
            models.UniqueConstraint(
                fields=("user", "list_key"),
                condition=models.Q(is_default=True),
                name="saved_view_one_default",
                violation_error_message="only one saved view per list can be the default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude: Any = None) -> None:
        # White space is collapsed before the field checks, so a blank name is refused.
        self.name = " ".join(str(self.name).split())
        super().clean_fields(exclude)

    def params(self) -> QueryDict:
        """The list page's query parameters this view stands for."""
        params = QueryDict(self.filters, mutable=True)
        for key, value in (
            ("sort", self.sort),
            ("columns", self.columns),
            ("page_size", self.page_size),
        ):
            if value:
                params[key] = str(value)
        return params

    def query_string(self) -> str:
        return self.params().urlencode(safe=",")
