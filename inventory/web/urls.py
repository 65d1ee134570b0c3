"""URLs of the inventory pages."""

app_name = "inventory"
urlpatterns: list = []
