from __future__ import annotations

from django.urls import path

from programs import people_views, topic_menu_views, views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_new, name="new"),
    path("<int:pk>/", views.program_detail, name="detail"),
    path("<int:pk>/about/", views.program_about, name="about"),
    path("<int:pk>/edit/<slug:section>/", views.program_edit_section, name="edit"),
    path("<int:pk>/topics/", views.program_topics, name="program_topics"),
    path("<int:pk>/menu/", topic_menu_views.menu, name="topic_menu"),
    path("<int:pk>/menu/<int:item_pk>/", topic_menu_views.menu_item_edit, name="topic_menu_item"),
    path("<int:pk>/menu/proposals/<int:proposal_pk>/decide/", topic_menu_views.proposal_decide,
         name="topic_proposal_decide"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path("<int:pk>/agreement/publish/", views.agreement_publish, name="agreement_publish"),
    path("<int:pk>/advance/", views.program_advance, name="advance"),
    path("<int:pk>/clone/", views.program_clone, name="clone"),
    path("<int:pk>/history/", views.program_history, name="history"),
    path("<int:pk>/leads/add/", views.lead_add, name="lead_add"),
    path("<int:pk>/leads/<int:user_pk>/remove/", views.lead_remove, name="lead_remove"),
    path("<int:pk>/<slug:kind>/add/", views.item_add, name="item_add"),
    path("<int:pk>/<slug:kind>/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/<slug:kind>/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
    path("<int:pk>/<slug:kind>/<int:item_pk>/move/", views.item_move, name="item_move"),
    path("people/", people_views.people_list, name="people"),
    path("people/invite/", people_views.people_invite, name="invite"),
    path("people/invite-all/", people_views.people_invite_all, name="invite_all"),
    path("people/invite-all/<int:pk>/", people_views.invite_batch, name="invite_batch"),
    path("people/<int:user_pk>/invite/", people_views.people_reinvite, name="reinvite"),
    path("people/import/", people_views.import_upload, name="import"),
    path("people/import/<int:import_pk>/", people_views.import_preview, name="import_preview"),
    path("people/import/<int:import_pk>/apply/", people_views.import_apply, name="import_apply"),
    path("topics/", people_views.topic_list, name="topics"),
    path("topics/<int:topic_pk>/", people_views.topic_edit, name="topic_edit"),
]
