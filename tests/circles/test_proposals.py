"""The pure grouping behind circle proposals."""

from __future__ import annotations

from datetime import date

from circles.proposals import Junior, Senior, learning_circles, peer_circles


def junior(i: int, dept: str, started: date, **expertise) -> Junior:
    return Junior(id=i, name=f"J{i}", department=dept, started=started,
                  expertise={int(k[1:]): v for k, v in expertise.items()})


def test_peer_circles_group_by_start_month_and_mix_departments():
    march, april = date(2027, 3, 4), date(2027, 4, 2)
    people = [junior(i, dept, march) for i, dept in enumerate(["Eng", "Eng", "Eng", "Sales", "Sales", "HR"])]
    people += [junior(10 + i, "Eng", april) for i in range(2)]  # two are not enough for a circle
    proposals = peer_circles(people)
    assert len(proposals) == 1
    circle = proposals[0]
    assert circle.cohort == date(2027, 3, 1)
    assert circle.departments == ["Eng", "HR", "Sales"]
    assert {j.id for j in circle.members} == set(range(6))


def test_a_big_cohort_splits_into_even_groups_that_each_mix_departments():
    people = [junior(i, ["Eng", "Sales", "Ops"][i % 3], date(2027, 3, 1)) for i in range(12)]
    proposals = peer_circles(people)
    assert sorted(len(p.members) for p in proposals) == [6, 6]
    assert all(len(p.departments) == 3 for p in proposals)


def test_learning_circles_follow_shared_interests_and_the_best_teacher():
    juniors = [junior(1, "Eng", date(2027, 3, 1), t7=3), junior(2, "Eng", date(2027, 3, 1), t7=5)]
    seniors = [Senior(id=100 + i, name=f"S{i}", interests={7: 1 + i % 2}) for i in range(10)]
    seniors.append(Senior(id=200, name="Alone", interests={9: 1}))
    proposals = learning_circles(juniors, seniors)
    assert len(proposals) == 1  # topic 9 has one senior and no teacher
    circle = proposals[0]
    assert circle.host.id == 2 and circle.proficiency == 5
    assert len(circle.members) == 8 and circle.wanted_by == 10
    assert all(s.interests[7] == 1 for s in circle.members[:5])  # first priority first
