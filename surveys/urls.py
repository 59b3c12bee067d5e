from __future__ import annotations

from django.urls import path, re_path

from surveys import learning_views, pulse_views, views

app_name = "surveys"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("invitation/<int:pk>/", views.answer, name="answer"),
    path("learning/<int:pk>/start/", learning_views.learning_start, name="learning_start"),
    path("pulse/<int:pk>/", pulse_views.pulse_answer, name="pulse_answer"),
    re_path(r"^pulse/t/(?P<token>[A-Za-z0-9_-]{20,100})/$", pulse_views.pulse_token, name="pulse_token"),
    re_path(r"^unsubscribe/(?P<token>[A-Za-z0-9_:.-]{10,300})/$", views.unsubscribe, name="unsubscribe"),
    # The single-use link of the e-mails (secrets.token_urlsafe).
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})/$", views.answer_token, name="answer_token"),
]
