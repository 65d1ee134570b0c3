"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("inventory.api.urls")),
    path("", include("inventory.web.urls")),
]

# JSON under /api/, the styled page elsewhere (inventory/failures.py).
handler400 = "inventory.failures.bad_request"
handler403 = "inventory.failures.permission_denied"
handler404 = "inventory.failures.page_not_found"
handler500 = "inventory.failures.server_error"
