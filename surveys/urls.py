from __future__ import annotations

from django.urls import path, re_path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("invitation/<int:pk>/", views.answer, name="answer"),
    re_path(r"^unsubscribe/(?P<token>[A-Za-z0-9_:.-]{10,300})/$", views.unsubscribe, name="unsubscribe"),
    # The single-use link of the e-mails (secrets.token_urlsafe).
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})/$", views.answer_token, name="answer_token"),
]
