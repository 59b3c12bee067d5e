from __future__ import annotations

from django.urls import path

from pairing import hr_views, views

app_name = "pairing"
urlpatterns = [
    # Participants
    path("", views.mine, name="mine"),
    path("profile/", views.profile, name="profile"),
    path("profile/about/", views.profile_about, name="profile_about"),
    path("profile/expertise/", views.expertise_add, name="expertise_add"),
    path("profile/expertise/<int:pk>/remove/", views.expertise_remove, name="expertise_remove"),
    path("profile/interests/", views.interest_add, name="interest_add"),
    path("profile/interests/<int:pk>/remove/", views.interest_remove, name="interest_remove"),
    path("profile/availability/", views.availability_add, name="availability_add"),
    path("profile/availability/<int:pk>/remove/", views.availability_remove, name="availability_remove"),
    path("programs/<int:program_pk>/apply/", views.apply, name="apply"),
    path("enrolments/<int:pk>/", views.enrollment, name="enrollment"),
    path("enrolments/<int:pk>/goals/", views.enrollment_goals, name="enrollment_goals"),
    path("enrolments/<int:pk>/training/<int:resource_pk>/", views.training_done, name="training_done"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair"),
    path("pairs/<int:pk>/respond/", views.pair_respond, name="pair_respond"),
    path("pairs/<int:pk>/exit/", views.exit_request, name="exit_request"),
    # HR
    path("hr/", hr_views.hr_index, name="hr_index"),
    path("hr/programs/<int:program_pk>/enrolments/", hr_views.hr_enrollments, name="hr_enrollments"),
    path("hr/programs/<int:program_pk>/enrolments/approve/", hr_views.hr_bulk_approve,
         name="hr_bulk_approve"),
    path("hr/enrolments/<int:pk>/decide/", hr_views.hr_decide, name="hr_decide"),
    path("hr/programs/<int:program_pk>/matching/", hr_views.hr_review, name="hr_review"),
    path("hr/programs/<int:program_pk>/matching/run/", hr_views.hr_run_start, name="hr_run_start"),
    path("hr/programs/<int:program_pk>/matching/swap/", hr_views.hr_swap, name="hr_swap"),
    path("hr/programs/<int:program_pk>/matching/pair/", hr_views.hr_manual_pair, name="hr_manual_pair"),
    path("hr/programs/<int:program_pk>/matching/publish/", hr_views.hr_publish, name="hr_publish"),
    path("hr/runs/<int:pk>/", hr_views.hr_run, name="hr_run"),
    path("hr/runs/<int:pk>/progress/", hr_views.hr_run_progress, name="hr_run_progress"),
    path("hr/pairs/<int:pk>/lock/", hr_views.hr_pair_lock, name="hr_pair_lock"),
    path("hr/pairs/<int:pk>/forbid/", hr_views.hr_pair_forbid, name="hr_pair_forbid"),
    path("hr/exits/", hr_views.hr_exits, name="hr_exits"),
    path("hr/exits/<int:pk>/", hr_views.hr_exit_resolve, name="hr_exit_resolve"),
]
