"""Synthetic learners for the analyst notebooks, tests and benchmarks: ``trygge demo-data``.

Every event is what the learner widgets would emit (same verbs, object ids, result fields), for the real course content
(:func:`widgets.content.load_course`), and is marked as synthetic: ``context.synthetic = true`` and organisations
named ``demo-org-1`` … ``demo-org-M``. The patterns an analyst should be able to find:

* drop-off through a theme: every section loses some learners, the simulation and the reflection most;
* easy and hard quiz items (item difficulty from a one-parameter logistic model on each learner's ability);
* one misleading distractor per theme: on the hardest single-choice item most wrong answers go to one option, and
  able learners fall for it more often than the others (the item hardly discriminates, the distractor does the
  wrong way);
* *trygghet* that rises from before to after for most learners (about one in five stays flat);
* simulator skills that improve with attempts: more reflections per question, more open questions, more often asking
  directly about suicide;
* organisations of uneven size, so the smallest are suppressed in analyst outputs.

The same seed gives the same learners, events and event ids.

    trygge demo-data --learners 300 --orgs 6 --seed 1 [--db-url URL] [--force]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import random
import sys
import uuid
import zlib
from collections.abc import Generator, Iterator
from typing import Any

from .events import Event

#: Organisation ids of synthetic learners: ``demo-org-<n>``.
ORG_PREFIX = "demo-org-"
#: When the synthetic course run starts (fixed, so a seed always gives the same data).
START = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

#: How likely a learner who reaches a section goes on to the next (before their own persistence is applied).
CONTINUE = {
    "confidence_before": 0.97,
    "expert_film": 0.93,
    "interview_film": 0.92,
    "tool_film": 0.93,
    "quiz": 0.9,
    "simulation": 0.8,
    "learn_more": 0.92,
    "reflection": 0.82,
    "printable": 0.9,
    "confidence_after": 1.0,
}
#: Clearly synthetic texts for the few learners who share a reflection.
SHARED_TEXTS = (
    "[demo] Jeg vil øve mer på å tåle stillhet i samtalen.",
    "[demo] Det var nyttig å se forskjellen på åpne og lukkede spørsmål.",
    "[demo] Jeg merker at jeg har lyst til å gi råd for tidlig.",
    "[demo] Å spørre direkte føles mindre skummelt nå.",
)


@dataclasses.dataclass
class DemoSummary:
    """What :func:`generate` wrote."""

    learners: int
    events: int
    org_sizes: dict[str, int]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _stable(text: str) -> float:
    """A number in [0, 1) fixed by ``text`` (item difficulties do not change with the seed)."""
    return (zlib.crc32(text.encode("utf-8")) % 10_000) / 10_000


def _item_difficulty(theme_id: str, index: int, count: int, item_id: str) -> float:
    """Spread from easy (−1.8) to hard (+1.6) over the quiz, shuffled by the item id."""
    rank = sorted(range(count), key=lambda i: _stable(f"{theme_id}/{i}"))
    return -1.8 + 3.4 * rank.index(index) / max(1, count - 1) + 0.1 * (_stable(item_id) - 0.5)


class _Learner:
    """One synthetic learner's traits and clock."""

    def __init__(self, rng: random.Random, org: str) -> None:
        self.rng = rng
        self.code = (
            "".join(rng.choice(CODE_ALPHABET) for _ in range(4))
            + "-"
            + "".join(rng.choice(CODE_ALPHABET) for _ in range(4))
        )
        self.org = org
        self.ability = rng.gauss(0.0, 1.0)
        self.persistence = rng.betavariate(6, 2)  # most keep going, some give up early
        self.grows = rng.random() < 0.8  # four in five gain trygghet
        self.clock = START + dt.timedelta(days=rng.uniform(0, 60), hours=rng.uniform(0, 12))

    def tick(self, low: float = 5, high: float = 90) -> dt.datetime:
        self.clock += dt.timedelta(seconds=self.rng.uniform(low, high))
        return self.clock


class _Writer:
    """Builds events with deterministic ids and the synthetic context."""

    def __init__(self, rng: random.Random, course: Any) -> None:
        self.rng = rng
        self.course = course

    def event(
        self,
        who: _Learner,
        verb: str,
        object_id: str,
        object_type: str,
        result: dict[str, Any] | None = None,
        *,
        at: dt.datetime | None = None,
    ) -> Event:
        context = {
            "course": self.course.id,
            "version": self.course.version,
            "org": who.org,
            "channel": "web",
            "synthetic": True,
        }
        return Event(
            who.code,
            verb,
            object_id,
            object_type,
            result or {},
            context,
            at or who.tick(),
            str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
        )


def _confidence(w: _Writer, who: _Learner, theme: Any, phase: str, before: dict[str, int]) -> Iterator[Event]:
    conf = theme.confidence or {}
    scale = int(conf.get("scale", 7))
    ratings = {}
    for statement in conf.get("statements", []):
        if phase == "before":
            value = round(w.rng.gauss(3.4 + 0.3 * who.ability, 1.0))
        else:
            gain = w.rng.gauss(1.0 + 0.15 * who.ability, 1.2) if who.grows else w.rng.gauss(0.0, 0.8)
            value = round(before.get(statement["id"], 4) + gain)
        value = max(1, min(scale, value))
        ratings[statement["id"]] = value
        yield w.event(
            who,
            "rated",
            f"{theme.id}/confidence/{statement['id']}",
            "confidence-statement",
            {"score": {"raw": value, "min": 1, "max": scale}, "phase": phase},
        )
    before.update(ratings if phase == "before" else {})


def _film(w: _Writer, who: _Learner, theme: Any, film: dict[str, Any], finish: bool) -> Iterator[Event]:
    duration = round(90 + 150 * _stable(f"{theme.id}/{film['id']}"), 1)
    described = w.rng.random() < 0.06
    common = {"described": described, "captions": w.rng.random() < 0.7}
    obj = f"{theme.id}/film/{film['id']}"
    yield w.event(who, "played", obj, "film", {"position": 0.0, **common})
    position = 0.0
    if w.rng.random() < 0.35:
        position = round(w.rng.uniform(10, duration * 0.6), 1)
        yield w.event(
            who, "paused", obj, "film", {"position": position, **common}, at=who.tick(10, position + 10)
        )
        yield w.event(who, "played", obj, "film", {"position": position, **common}, at=who.tick(3, 120))
    if w.rng.random() < 0.2:
        target = round(min(duration - 1, position + w.rng.uniform(5, 40)), 1)
        yield w.event(who, "seeked", obj, "film", {"position": target, "from": position, **common})
    if finish:
        yield w.event(
            who,
            "completed",
            obj,
            "film",
            {"position": duration, "duration": duration, "completion": True, **common},
            at=who.tick(duration * 0.5, duration),
        )
    else:
        stop = round(w.rng.uniform(5, duration * 0.7), 1)
        yield w.event(who, "paused", obj, "film", {"position": stop, **common}, at=who.tick(stop * 0.5, stop))


def _options(item: dict[str, Any]) -> list[bool]:
    """Which options are correct, in the order the learner sees them (Sant, Usant for true/false)."""
    if item["type"] == "true_false":
        return [item["answer"] is True, item["answer"] is False]
    return [bool(o.get("correct")) for o in item["options"]]


def misleading_item(theme: Any) -> str | None:
    """The quiz item whose one distractor misleads in the demo data: the hardest single-choice item with ≥ 3 options."""
    candidates = [
        (i, item)
        for i, item in enumerate(theme.quiz)
        if item["type"] == "single" and len(item["options"]) >= 3
    ]
    if not candidates:
        return None
    index, item = max(candidates, key=lambda c: _item_difficulty(theme.id, c[0], len(theme.quiz), c[1]["id"]))
    return str(item["id"])


def _quiz(w: _Writer, who: _Learner, theme: Any) -> Iterator[Event]:
    trap_id = misleading_item(theme)
    score = 0
    for index, item in enumerate(theme.quiz):
        correct = _options(item)
        right = [i for i, c in enumerate(correct) if c]
        wrong = [i for i, c in enumerate(correct) if not c]
        b = _item_difficulty(theme.id, index, len(theme.quiz), item["id"])
        p = _sigmoid(1.4 * (who.ability - b))
        trap = item["id"] == trap_id
        if trap:
            p = 0.3  # the plausible wrong option draws able learners as much as anyone: ability does not help
        attempt = 0
        while True:
            attempt += 1
            success = w.rng.random() < (p if attempt == 1 else min(0.95, p + 0.4))
            if success:
                chosen = right
            elif item["type"] == "multiple":
                chosen = sorted(
                    w.rng.sample(range(len(correct)), k=w.rng.randint(1, max(1, len(correct) - 1)))
                )
                if chosen == right:
                    chosen = sorted(set(chosen) ^ {wrong[0]}) if wrong else chosen
                success = chosen == right
            elif trap and len(wrong) > 1 and w.rng.random() < _sigmoid(0.5 + 2.0 * who.ability):
                chosen = [
                    wrong[-1]
                ]  # the more a learner knows, the likelier this is the wrong answer they give
            else:
                chosen = [w.rng.choice(wrong)] if wrong else right
            yield w.event(
                who,
                "answered",
                f"{theme.id}/quiz/{item['id']}",
                "quiz-item",
                {
                    "success": success,
                    "response": [chr(97 + i) for i in chosen],
                    "score": {"raw": int(success), "max": 1},
                    "first_attempt": attempt == 1,
                },
                at=who.tick(8, 60),
            )
            if success or attempt >= 3 or w.rng.random() > 0.6:
                break
        score += int(success)
    yield w.event(
        who, "completed", f"{theme.id}/quiz", "quiz", {"score": {"raw": score, "max": len(theme.quiz)}}
    )


def _simulation(w: _Writer, who: _Learner, theme: Any) -> Generator[Event, None, bool]:
    """Conversations in the simulator; returns whether at least one was finished (which marks the section done)."""
    from .simulation.coach import LABELS

    finished = False
    scenarios = list(theme.scenarios.values())
    attempts = 1 + sum(w.rng.random() < who.persistence * 0.75 for _ in range(3))
    for attempt in range(1, attempts + 1):
        scenario = scenarios[(attempt - 1) % len(scenarios)]
        obj = f"{theme.id}/scenario/{scenario['id']}"
        skill = 0.35 * who.ability + 0.45 * (attempt - 1) + w.rng.gauss(0, 0.3)
        yield w.event(who, "launched", obj, "scenario", {"mode": "scripted"})
        turns = w.rng.randint(5, 11)
        counts = dict.fromkeys(LABELS, 0)
        ask_suicide = w.rng.random() < _sigmoid(-1.0 + 0.9 * (attempt - 1) + 0.4 * who.ability)
        suicide_turn = w.rng.randint(2, turns) if ask_suicide else -1
        left = w.rng.random() < 0.04
        for turn in range(1, turns + 1):
            labels = []
            r = w.rng.random()
            if r < _sigmoid(skill - 0.6) * 0.55:
                labels.append("reflection")
            elif r < 0.85:
                labels.append(
                    "open_question" if w.rng.random() < _sigmoid(skill - 0.2) else "closed_question"
                )
            if w.rng.random() < 0.12:
                labels.append("affirmation")
            if w.rng.random() < _sigmoid(-1.5 - skill):
                labels.append("advice")
            if w.rng.random() < _sigmoid(-2.5 - skill):
                labels.append("minimizing")
            if turn == suicide_turn:
                labels.append("suicide_question")
            if turn == turns and w.rng.random() < 0.5:
                labels.append("summary")
            for label in labels:
                counts[label] += 1
            yield w.event(
                who,
                "responded",
                obj,
                "scenario",
                {
                    "labels": labels,
                    "intents": [],
                    "node": f"n{turn}",
                    "chosen": w.rng.random() < 0.5,
                    "turn": turn,
                },
                at=who.tick(10, 70),
            )
            if left and turn >= 3 and w.rng.random() < 0.3:
                yield w.event(who, "terminated", obj, "scenario", {"turns": turn})
                break
        else:
            questions = counts["open_question"] + counts["closed_question"]
            end = (
                "caller_left"
                if counts["minimizing"] > 1
                else w.rng.choice(["good_close", "referred", "safety_plan"])
            )
            yield w.event(
                who,
                "completed",
                obj,
                "scenario",
                {
                    "end": end,
                    "turns": turns,
                    "counts": counts,
                    "reflection_to_question": counts["reflection"] / questions if questions else None,
                    "open_question_share": counts["open_question"] / questions if questions else None,
                    "must_do": {label: counts[label] > 0 for label in scenario.get("must_do", [])},
                    "success": end != "caller_left",
                },
            )
            finished = True
    return finished


def _section(w: _Writer, who: _Learner, theme: Any, section: str, before: dict[str, int]) -> Iterator[Event]:
    """Events of one section; the last is ``progressed`` if the learner finished it."""
    done = True
    if section in ("confidence_before", "confidence_after"):
        yield from _confidence(w, who, theme, section.removeprefix("confidence_"), before)
    elif section in ("expert_film", "interview_film", "tool_film"):
        try:
            film = theme.film(section)
        except KeyError:
            return
        done = w.rng.random() < 0.6 + 0.38 * who.persistence
        yield from _film(w, who, theme, film, done)
    elif section == "quiz":
        if not theme.quiz:
            return
        yield from _quiz(w, who, theme)
    elif section == "simulation":
        if not theme.scenarios:
            return
        done = yield from _simulation(w, who, theme)
    elif section == "learn_more":
        for n in sorted(
            w.rng.sample(range(1, len(theme.sources) + 1), k=min(len(theme.sources), w.rng.randint(1, 3)))
        ):
            yield w.event(who, "experienced", f"{theme.id}/learn-more/source-{n}", "resource", {})
    elif section == "reflection":
        if theme.tasks and w.rng.random() < 0.1:
            task = w.rng.choice(theme.tasks)
            yield w.event(
                who,
                "shared",
                f"{theme.id}/reflection/{task['id']}",
                "reflection",
                {"response": w.rng.choice(SHARED_TEXTS)},
                at=who.tick(120, 900),
            )
    elif section == "printable":
        done = w.rng.random() < 0.7
        if done:
            yield w.event(who, "experienced", f"{theme.id}/printable/worksheet", "printable", {})
    else:
        return
    if done:
        yield w.event(
            who,
            "progressed",
            f"{theme.id}/section/{section.replace('_', '-')}",
            "section",
            {"completion": True},
            at=who.tick(1, 3),
        )


def _learner_events(w: _Writer, who: _Learner) -> Iterator[Event]:
    yield w.event(who, "launched", "course", "course", {})
    themes = [t for t in w.course.themes if t.ready]
    for number, theme in enumerate(themes):
        if number and w.rng.random() > 0.35 + 0.5 * who.persistence:
            return
        who.clock += dt.timedelta(days=w.rng.uniform(0.5, 10))
        yield w.event(who, "launched", theme.id, "theme", {})
        before: dict[str, int] = {}
        for section in theme.sections:
            yield from _section(w, who, theme, section, before)
            if w.rng.random() > CONTINUE.get(section, 0.9) ** (1.5 - who.persistence):
                return  # stopped here (dropped out of the course)


def org_sizes(learners: int, orgs: int) -> list[int]:
    """Uneven organisation sizes adding up to ``learners``: roughly Zipf, and (with four or more organisations and
    enough learners) the two smallest have 3 and 2 learners, so analyst outputs have small groups to suppress."""
    if orgs < 1 or learners < orgs:
        raise ValueError(
            "Det må være minst én organisasjon og minst like mange deltakere som organisasjoner."
        )
    tiny = [3, 2] if orgs >= 4 and learners >= 10 * orgs else []
    rest_orgs, rest = orgs - len(tiny), learners - sum(tiny)
    weights = [1 / (i**1.2) for i in range(1, rest_orgs + 1)]
    sizes = [1 + int((rest - rest_orgs) * wgt / sum(weights)) for wgt in weights]
    sizes[0] += rest - sum(sizes)
    return sizes + tiny


def iter_events(learners: int = 200, orgs: int = 5, seed: int = 1, course: Any = None) -> Iterator[Event]:
    """Every synthetic event, learner by learner (each learner's events in time order)."""
    from .content import load_course

    course = course or load_course()
    rng = random.Random(seed)
    writer = _Writer(rng, course)
    assignment = [f"{ORG_PREFIX}{i + 1}" for i, n in enumerate(org_sizes(learners, orgs)) for _ in range(n)]
    rng.shuffle(assignment)
    for org in assignment:
        yield from _learner_events(writer, _Learner(rng, org))


def generate(
    store: Any,
    learners: int = 200,
    orgs: int = 5,
    seed: int = 1,
    *,
    course: Any = None,
    batch: int = 5_000,
    progress: Any = None,
) -> DemoSummary:
    """Write synthetic events to ``store`` (a :class:`widgets.store.Store`). Returns what was written."""
    written = 0
    buffer: list[Event] = []
    sizes = {f"{ORG_PREFIX}{i + 1}": n for i, n in enumerate(org_sizes(learners, orgs))}
    for event in iter_events(learners, orgs, seed, course):
        buffer.append(event)
        if len(buffer) >= batch:
            written += store.add_events(buffer)
            if progress:
                progress(len(buffer))
            buffer = []
    if buffer:
        written += store.add_events(buffer)
        if progress:
            progress(len(buffer))
    return DemoSummary(learners=learners, events=written, org_sizes=sizes)


def real_events(store: Any) -> int:
    """How many stored events are not synthetic (their organisation is not a ``demo-org-N``)."""
    return sum(n for org, n in store.learners_per_org().items() if not (org or "").startswith(ORG_PREFIX))


def default_demo_url() -> str:
    """``sqlite:///<course dir>/var/demo.sqlite``: demo data never goes into the real results database by default."""
    from .content import course_dir

    var = course_dir() / "var"
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'demo.sqlite'}"


def cmd_demo_data(args: argparse.Namespace) -> int:
    from .store import Store, StoreUnavailable

    try:
        store = Store(args.db_url or default_demo_url())
    except StoreUnavailable as exc:
        print(f"trygge demo-data: {exc}", file=sys.stderr)
        return 1
    try:
        real = real_events(store)
        if real and not args.force:
            print(
                f"trygge demo-data: databasen {store.display_url} har data fra {real} ekte deltakere. Demodata skrives "
                "bare til en egen database (bruk --db-url), eller med --force.",
                file=sys.stderr,
            )
            return 1
        try:
            summary = generate(store, args.learners, args.orgs, args.seed)
        except ValueError as exc:
            print(f"trygge demo-data: {exc}", file=sys.stderr)
            return 2
    finally:
        store.dispose()
    print(
        f"Skrev {summary.events} syntetiske hendelser for {summary.learners} deltakere i {len(summary.org_sizes)} "
        f"organisasjoner ({ORG_PREFIX}1 … {ORG_PREFIX}{len(summary.org_sizes)}) til {store.display_url}."
    )
    print("Analysenotatbøkene leser dem med TRYGGE_DB_URL=" + store.url)
    return 0


def add_parser(sub: Any) -> None:
    """Register ``trygge demo-data`` on the ``trygge`` command line."""
    demo = sub.add_parser("demo-data", help="lag syntetiske deltakere og hendelser for analysenotatbøkene")
    demo.add_argument("--learners", type=int, default=200, help="antall deltakere (standard 200)")
    demo.add_argument("--orgs", type=int, default=5, help="antall organisasjoner (standard 5)")
    demo.add_argument("--seed", type=int, default=1, help="frø: samme frø gir samme data (standard 1)")
    demo.add_argument(
        "--db-url", help="database å skrive til (standard: SQLite-fil <kursmappe>/var/demo.sqlite)"
    )
    demo.add_argument("--force", action="store_true", help="skriv også til en database som har ekte data")
    demo.set_defaults(func=cmd_demo_data)
