from __future__ import annotations

from django.urls import path

from meetings import series_views, topic_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("pair/<int:pair_id>/", views.pair_detail, name="pair"),
    path("pair/<int:pair_id>/propose/", views.propose, name="propose"),
    path("pair/<int:pair_id>/book/", views.book, name="book"),
    path("pair/<int:pair_id>/topics/", topic_views.pair_topics, name="topics"),
    path("meeting/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meeting/<int:meeting_id>/confirm/", views.confirm, name="confirm"),
    path("meeting/<int:meeting_id>/decline/", views.decline, name="decline"),
    path("meeting/<int:meeting_id>/reschedule/", views.reschedule, name="reschedule"),
    path("meeting/<int:meeting_id>/place/", views.place, name="place"),
    path("meeting/<int:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("meeting/<int:meeting_id>/outcome/", views.outcome, name="outcome"),
    path("meeting/<int:meeting_id>/log/", views.log_session, name="log"),
    path("pair/<int:pair_id>/series/", series_views.propose_series, name="series_propose"),
    path("series/<int:series_id>/answer/", series_views.answer_series, name="series_answer"),
    path("series/<int:series_id>/end/", series_views.end_series, name="series_end"),
    path("action/<int:item_id>/done/", views.action_item_done, name="action_done"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
