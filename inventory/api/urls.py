"""URLs of the REST API: ``v1/`` mirrors the module SDK; schema and docs sit beside it."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from inventory.declarations import DECLARATIONS

from .bulk import urlpatterns as bulk_urls
from .docs import RedocView, SwaggerView, docs_page
from .errors import no_endpoint
from .history import urlpatterns_for as history_urls
from .index import ApiIndexView
from .search import urlpatterns as search_urls
from .secrets import urlpatterns as secrets_urls
from .views import CapabilitiesView, KnowledgeConfigView, viewset_for
from .vocabulary import AliasDetailView, AliasesView, TermDetailView, TermsView
from .workflows import urlpatterns as workflow_urls

app_name = "api"

router = SimpleRouter()
for sdk_name in DECLARATIONS:
    router.register(sdk_name.replace("_", "-"), viewset_for(sdk_name), basename=sdk_name)

urlpatterns = [
    # Before the router, so that "model-registry/bind/" is not read as a row id.
    path("v1/", include(workflow_urls)),
    path("v1/", include(bulk_urls)),
    path("v1/", include(secrets_urls)),
    path("v1/", include(search_urls)),
    path("v1/", include(history_urls({name: name.replace("_", "-") for name in DECLARATIONS}))),
    path("v1/", include(router.urls)),
    path("v1/knowledge/config/", KnowledgeConfigView.as_view(), name="knowledge-config"),
    path("v1/capabilities/", CapabilitiesView.as_view(), name="capabilities"),
    path("v1/", ApiIndexView.as_view(), name="index"),
    path("v1/vocabulary/terms/", TermsView.as_view(), name="vocabulary-terms"),
    path(
        "v1/vocabulary/terms/<str:kind>/<str:name>/",
        TermDetailView.as_view(),
        name="vocabulary-term",
    ),
    path("v1/vocabulary/aliases/", AliasesView.as_view(), name="vocabulary-aliases"),
    path(
        "v1/vocabulary/aliases/<str:kind>/<str:alias>/",
        AliasDetailView.as_view(),
        name="vocabulary-alias",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_page(SwaggerView), name="docs"),
    path("redoc/", docs_page(RedocView), name="redoc"),
    # Last: any other path under /api/ answers in the API's error shape.
    re_path(r"^", no_endpoint),
]
