from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("settings/chat/", views.chat_settings, name="chat_settings"),
    path("settings/chat/test/", views.chat_test, name="chat_test"),
    path("preferences/", views.preferences, name="preferences"),
]
