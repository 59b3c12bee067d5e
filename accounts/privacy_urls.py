from __future__ import annotations

from django.urls import path

from accounts import privacy_views

app_name = "privacy"
urlpatterns = [
    path("my-data/", privacy_views.my_data, name="my_data"),
    path("erase/<int:pk>/", privacy_views.erase, name="erase"),
]
