"""URLs of the inventory pages: the same set of pages for each inventory."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from .entities import INVENTORIES, Inventory
from .imports import urlpatterns as import_urls
from .views.bulk import BulkPage
from .views.dashboard import DashboardPage
from .views.history import ChangesExport, ChangesPage, RestoreChange, RowHistoryPage
from .views.knowledge import KnowledgePage
from .views.lists import ExportView, ListPage
from .views.records import DeletePage, DetailPage, FormPage
from .views.saved_views import SavedViewsPage
from .views.search import SearchPage
from .views.secrets import EngineSecretsPage
from .views.vocabulary import VocabularyPage
from .workflows import urlpatterns as workflow_urls

app_name = "inventory"


def inventory_urls(inventory: Inventory) -> list[URLPattern]:
    slug = inventory.slug
    return [
        path(f"{slug}/", ListPage.as_view(inventory=inventory), name=f"{slug}-list"),
        path(
            f"{slug}/export.<str:fmt>",
            ExportView.as_view(inventory=inventory),
            name=f"{slug}-export",
        ),
        path(f"{slug}/bulk/", BulkPage.as_view(inventory=inventory), name=f"{slug}-bulk"),
        path(
            f"{slug}/views/", SavedViewsPage.as_view(inventory=inventory), name=f"{slug}-views"
        ),
        path(f"{slug}/new/", FormPage.as_view(inventory=inventory), name=f"{slug}-create"),
        path(f"{slug}/<int:pk>/", DetailPage.as_view(inventory=inventory), name=f"{slug}-detail"),
        path(f"{slug}/<int:pk>/edit/", FormPage.as_view(inventory=inventory), name=f"{slug}-edit"),
        path(
            f"{slug}/<int:pk>/history/",
            RowHistoryPage.as_view(inventory=inventory),
            name=f"{slug}-history",
        ),
        path(
            f"{slug}/<int:pk>/delete/",
            DeletePage.as_view(inventory=inventory),
            name=f"{slug}-delete",
        ),
    ]


urlpatterns = [
    path("", DashboardPage.as_view(), name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="inventory/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("knowledge/", KnowledgePage.as_view(), name="knowledge"),
    path("search/", SearchPage.as_view(), name="search"),
    path("engines/<int:pk>/secrets/", EngineSecretsPage.as_view(), name="engines-secrets"),
    path("vocabulary/", VocabularyPage.as_view(), name="vocabulary"),
    path("changes/", ChangesPage.as_view(), name="changes"),
    path("changes/export.csv", ChangesExport.as_view(), name="changes-export"),
    path("changes/<int:pk>/restore/", RestoreChange.as_view(), name="change-restore"),
    *workflow_urls,
    *import_urls,
    *[pattern for inventory in INVENTORIES for pattern in inventory_urls(inventory)],
]
