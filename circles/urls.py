from __future__ import annotations

from django.urls import path

from circles import hr_views, views

app_name = "circles"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:circle_id>/", views.circle_detail, name="circle"),
    path("<int:circle_id>/join/", views.join, name="join"),
    path("<int:circle_id>/book/", views.book, name="book"),
    path("session/<int:session_id>/", views.session_detail, name="session"),
    path("session/<int:session_id>/rsvp/", views.rsvp, name="rsvp"),
    path("session/<int:session_id>/confirm/", views.confirm, name="confirm"),
    path("session/<int:session_id>/cancel/", views.cancel, name="cancel"),
    path("session/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("session/<int:session_id>/notes/", views.notes, name="notes"),
    path("session/<int:session_id>/feedback/", views.feedback, name="feedback"),
    path("action/<int:item_id>/done/", views.action_done, name="action_done"),
    path("hr/program/<int:program_id>/", hr_views.hr_list, name="hr_list"),
    path("hr/program/<int:program_id>/new/", hr_views.hr_new, name="hr_new"),
    path("hr/program/<int:program_id>/propose/", hr_views.hr_propose, name="hr_propose"),
    path("hr/<int:circle_id>/", hr_views.hr_circle, name="hr_circle"),
    path("hr/<int:circle_id>/status/", hr_views.hr_status, name="hr_status"),
]
