"""Every job's task options, its place on the beat, and the settings guarding the lease."""

from __future__ import annotations

import importlib

from django.conf import settings

from mentoring.celery import app

JOB_MODULES = ("notifications.tasks", "meetings.tasks", "circles.tasks", "surveys.tasks", "evaluation.tasks")
# Periodic jobs that are not message ticks: they read ahead rather than send, on their own period.
REFRESH_JOBS = ("evaluation.tasks.refresh_dashboards",)


def _jobs():
    for module_name in JOB_MODULES:
        module = importlib.import_module(module_name)
        for name in dir(module):
            if name.startswith("tick_") or f"{module_name}.{name}" in REFRESH_JOBS:
                yield f"{module_name}.{name}", getattr(module, name)


def test_every_job_acknowledges_late_has_time_limits_and_backs_off_below_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    jobs = dict(_jobs())
    assert len(jobs) == 12  # 11 message ticks and the dashboard snapshots' refresh
    for task in jobs.values():
        assert task.acks_late is True
        assert 0 < task.soft_time_limit < task.time_limit == settings.JOBS_TIME_LIMIT
        assert task.retry_backoff_max * 2 < visibility
        assert task.max_retries and task.autoretry_for
    assert settings.JOBS_CLAIM_LEASE_SECONDS > settings.JOBS_TIME_LIMIT


def test_beat_schedules_every_job_by_its_registered_name():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    jobs = {name for name, _task in _jobs()}

    assert jobs <= scheduled
    assert jobs <= set(app.tasks.keys())
    # Short ticks: every minute (the weekly digest checks hourly for each lead's Monday morning).
    ours = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] in jobs - set(REFRESH_JOBS)]
    assert all(e["schedule"] <= (3600 if e["task"].endswith("lead_digest") else 60) for e in ours)
    # Dashboard snapshots are read again twice per their maximum age, so none is shown stale.
    (refresh,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
                  if e["task"] == "evaluation.tasks.refresh_dashboards"]
    assert refresh["schedule"] == settings.DASHBOARD_SNAPSHOT_SECONDS / 2


def test_settings_refuse_a_lease_shorter_than_the_time_limit():
    import os
    import subprocess
    import sys

    env = {**os.environ, "JOBS_TIME_LIMIT": "60", "JOBS_CLAIM_LEASE_SECONDS": "30"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "mentoring.settings"},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )

    assert result.returncode != 0
    assert "JOBS_CLAIM_LEASE_SECONDS must be longer than JOBS_TIME_LIMIT" in result.stderr
