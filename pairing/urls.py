from __future__ import annotations

app_name = "pairing"
urlpatterns: list = []
