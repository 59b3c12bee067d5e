from __future__ import annotations

from django.urls import path, re_path

from scim import hr_views, views

app_name = "scim"

urlpatterns = [
    path("scim/v2/ServiceProviderConfig", views.service_provider_config, name="spc"),
    path("scim/v2/ResourceTypes", views.resource_types, name="resource_types"),
    path("scim/v2/ResourceTypes/<str:name>", views.resource_types, name="resource_type"),
    path("scim/v2/Schemas", views.schemas, name="schemas"),
    path("scim/v2/Schemas/<str:urn>", views.schemas, name="schema"),
    path("scim/v2/Users", views.users, name="users"),
    path("scim/v2/Users/.search", views.users_search, name="users_search"),
    path("scim/v2/.search", views.users_search, name="root_search"),
    path("scim/v2/Users/<str:pk>", views.user_detail, name="user"),
    re_path(r"^scim/v2/(?P<rest>.*)$", views.not_found, name="not_found"),
    path("hr/scim-tokens/", hr_views.token_list, name="tokens"),
    path("hr/scim-tokens/<int:pk>/revoke/", hr_views.token_revoke, name="token_revoke"),
]
