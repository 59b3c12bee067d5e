from __future__ import annotations

from django.urls import path

from evaluation import circle_views, pulse_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/export/<slug:table>.csv", views.export, name="export"),
    path("<int:pk>/pulse/", pulse_views.pulse, name="pulse"),
    path("<int:pk>/summaries/", views.summaries, name="summaries"),
    path("<int:pk>/circles/", circle_views.circles_dashboard, name="circles"),
    path("<int:pk>/certificates/", views.certificates, name="certificates"),
    path("<int:pk>/certificates/manager-notes/", views.manager_notes, name="manager_notes"),
    path("certificate/<int:program_pk>/", views.certificate, name="certificate"),
    path("certificate/<int:program_pk>/consent/", views.consent, name="consent"),
]
