"""Synthetic demo data: valid events about the real course, clearly marked, the same for the same seed, and never
written into a database with real learners unless asked."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from widgets import demo_data
from widgets.content import load_course
from widgets.events import OBJECTS, Event
from widgets.session import normalise_code
from widgets.store import Store


@pytest.fixture(scope="module")
def events() -> list[Event]:
    return list(demo_data.iter_events(learners=80, orgs=5, seed=11))


def test_the_same_seed_gives_the_same_events_and_another_seed_others(events: list[Event]) -> None:
    again = list(demo_data.iter_events(learners=80, orgs=5, seed=11))
    assert [(e.id, e.actor, e.verb, e.object_id, e.result, e.timestamp) for e in again] == [
        (e.id, e.actor, e.verb, e.object_id, e.result, e.timestamp) for e in events
    ]
    other = list(demo_data.iter_events(learners=80, orgs=5, seed=12))
    assert {e.id for e in other}.isdisjoint({e.id for e in events})


def test_every_event_is_marked_synthetic_with_a_demo_org(events: list[Event]) -> None:
    course = load_course()
    assert all(e.context["synthetic"] is True for e in events)
    assert {e.context["org"] for e in events} == {f"demo-org-{i}" for i in range(1, 6)}
    assert {(e.context["course"], e.context["version"]) for e in events} == {(course.id, course.version)}
    assert len({e.actor for e in events}) == 80 and all(normalise_code(e.actor) == e.actor for e in events)


def test_object_ids_are_those_of_the_real_course_content(events: list[Event]) -> None:
    course = load_course()
    known = {"course"}
    for theme in course.themes:
        if not theme.ready:
            continue
        known.add(theme.id)
        known |= {f"{theme.id}/section/{s.replace('_', '-')}" for s in theme.sections}
        known |= {f"{theme.id}/film/{f['id']}" for f in theme.films}
        known |= {f"{theme.id}/quiz"} | {f"{theme.id}/quiz/{i['id']}" for i in theme.quiz}
        known |= {f"{theme.id}/confidence/{s['id']}" for s in theme.confidence.get("statements", [])}
        known |= {f"{theme.id}/scenario/{sid}" for sid in theme.scenarios}
        known |= {f"{theme.id}/reflection/{t['id']}" for t in theme.tasks}
        known |= {f"{theme.id}/learn-more/source-{n + 1}" for n in range(len(theme.sources))}
        known.add(f"{theme.id}/printable/worksheet")
    assert {e.object_id for e in events} <= known
    allowed = {(kind, verb) for _pattern, kind, verbs in OBJECTS for verb in verbs}
    assert {(e.object_type, e.verb) for e in events} <= allowed


def test_answers_use_the_real_options_and_right_means_right(events: list[Event]) -> None:
    course = load_course()
    items = {f"{t.id}/quiz/{i['id']}": i for t in course.themes if t.ready for i in t.quiz}
    for e in events:
        if e.verb != "answered":
            continue
        item = items[e.object_id]
        correct = demo_data._options(item)
        chosen = {ord(letter) - 97 for letter in e.result["response"]}
        assert chosen and max(chosen) < len(correct)
        assert e.result["success"] == (chosen == {i for i, c in enumerate(correct) if c})


def test_learners_drop_off_through_a_theme(events: list[Event]) -> None:
    theme = next(t for t in load_course().themes if t.ready)
    reached = Counter(
        e.object_id.rsplit("/", 1)[1] for e in events if e.verb == "progressed" and e.theme == theme.id
    )
    started = len({e.actor for e in events if e.verb == "launched" and e.object_id == theme.id})
    assert started == 80
    last = theme.sections[-1].replace("_", "-")
    assert 0 < reached[last] < reached[theme.sections[0].replace("_", "-")] <= started


def test_org_sizes_are_uneven_with_small_ones() -> None:
    sizes = demo_data.org_sizes(400, 8)
    assert sum(sizes) == 400 and sizes[0] > sizes[3] > sizes[-1] and sizes[-2:] == [3, 2]
    assert demo_data.org_sizes(3, 3) == [1, 1, 1]
    with pytest.raises(ValueError, match="minst like mange deltakere"):
        demo_data.org_sizes(2, 5)


def test_cli_writes_demo_data_and_refuses_a_database_with_real_learners(tmp_path: Path, capsys) -> None:
    from widgets.cli import main

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert main(["demo-data", "--learners", "12", "--orgs", "3", "--seed", "2", "--db-url", url]) == 0
    out = capsys.readouterr().out
    assert "syntetiske hendelser for 12 deltakere i 3 organisasjoner" in out
    store = Store(url)
    first = store.count_events()
    assert first > 100
    # running it again with the same seed adds nothing: the event ids are the same
    assert main(["demo-data", "--learners", "12", "--orgs", "3", "--seed", "2", "--db-url", url]) == 0
    assert store.count_events() == first
    store.add_events([Event("REAL-0001", "launched", "course", "course", {}, {"org": "kirkens-sos"})])
    assert main(["demo-data", "--learners", "12", "--orgs", "3", "--seed", "3", "--db-url", url]) == 1
    assert "har data fra 1 ekte deltakere" in capsys.readouterr().err
    assert store.count_events() == first + 1
    assert (
        main(["demo-data", "--learners", "12", "--orgs", "3", "--seed", "3", "--db-url", url, "--force"]) == 0
    )
    assert store.count_events() > first + 1
    store.dispose()
