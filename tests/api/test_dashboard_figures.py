"""Dashboard figures through the API: the dashboard's own numbers, held back the same way."""

from __future__ import annotations

from api.figures import build_report


def test_figures_match_the_dashboard_and_small_groups_are_null_with_a_reason(world, api_call):
    program = world["program"]
    body = api_call("lead", "GET", f"/api/v1/programs/{program.pk}/dashboard/").json()
    report = build_report(program, {})
    assert body["k"] == report.k == program.anonymity_k
    stats = [(s.key, st.label) for s in report.sections for st in s.stats]
    api_stats = [(f["section"], f["label"]) for f in body["figures"] if f["table"] is None]
    assert api_stats == stats
    # One pair is fewer than k people: every people-backed figure is held back with a reason.
    held = [f for f in body["figures"] if f["value"] is None and f["reason"] in
            ("fewer_than_k", "could_reveal_small_group")]
    assert held
    assert all(f["value"] is None for f in body["figures"] if f["reason"] is not None)
