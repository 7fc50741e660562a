"""The analyst module: numbers checked against hand computations and scipy, small groups held back, no codes shown,
and the patterns the demo data holds found again."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from widgets import analytics as an
from widgets import demo_data
from widgets.content import load_course
from widgets.events import Event
from widgets.store import Store

CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
T0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


class Log:
    """Writes events with increasing timestamps."""

    def __init__(self, store: Store) -> None:
        self.store, self.n, self.buffer = store, 0, []

    def __call__(
        self, actor: str, verb: str, obj: str, kind: str, result: dict | None = None, org: str = "org-a"
    ) -> None:
        self.n += 1
        self.buffer.append(
            Event(actor, verb, obj, kind, result or {}, {"org": org}, T0 + dt.timedelta(seconds=self.n))
        )

    def save(self) -> None:
        self.store.add_events(self.buffer)
        self.buffer = []


def code(i: int) -> str:
    return f"AAAA-{i:04d}"


def answer(
    log: Log, who: str, item: str, success: bool, letters: str, first: bool = True, org: str = "org-a"
):
    log(
        who,
        "answered",
        f"samtalen/quiz/{item}",
        "quiz-item",
        {
            "success": success,
            "response": list(letters),
            "score": {"raw": int(success), "max": 1},
            "first_attempt": first,
        },
        org,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> an.Dataset:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}")
    demo_data.generate(store, learners=300, orgs=6, seed=7)
    data = an.load(store)
    store.dispose()
    return data


# -- quiz -----------------------------------------------------------------------------------------------------------

MATRIX = {  # learner -> first answers right/wrong on q1, q2, q3
    0: (1, 1, 1),
    1: (1, 1, 0),
    2: (1, 0, 1),
    3: (1, 0, 0),
    4: (0, 1, 1),
    5: (1, 1, 1),
    6: (0, 0, 0),
    7: (1, 0, 0),
    8: (0, 0, 1),
    9: (1, 1, 0),
}


def _quiz_log(store: Store) -> Log:
    log = Log(store)
    for learner, row in MATRIX.items():
        for item, right in zip(("q1", "q2", "q3"), row, strict=True):
            answer(log, code(learner), item, bool(right), "a" if right else ("b" if learner % 2 else "c"))
            if not right:  # a second try that must not count
                answer(log, code(learner), item, True, "a", first=False)
    log.save()
    return log


def test_difficulty_and_discrimination_match_a_hand_computation(store: Store) -> None:
    _quiz_log(store)
    table = an.quiz_items(an.load(store, course=None)).set_index("item")
    matrix = np.array(list(MATRIX.values()), dtype=float)
    for index, item in enumerate(("q1", "q2", "q3")):
        rest = (matrix.sum(axis=1) - matrix[:, index]) / 2
        assert table.loc[item, "n"] == 10
        assert table.loc[item, "difficulty"] == pytest.approx(matrix[:, index].mean())
        assert table.loc[item, "discrimination"] == pytest.approx(np.corrcoef(matrix[:, index], rest)[0, 1])


def test_distractor_rates_overall_and_by_half(store: Store) -> None:
    _quiz_log(store)
    table = an.distractors(an.load(store, course=None))
    q1 = table[table["item"] == "q1"].set_index("option")
    assert q1.loc["a", "rate"] == pytest.approx(0.7)  # seven of ten right first time
    assert q1.loc["c", "rate"] == pytest.approx(
        0.3
    )  # learners 4, 6 and 8 were wrong, and even ones chose «c»
    assert q1.loc["b", "rate"] == pytest.approx(0.0)
    q3 = table[table["item"] == "q3"].set_index("option")  # wrong: 1, 3, 7, 9 (b) and 6 (c)
    assert (q3.loc["b", "rate"], q3.loc["c", "rate"]) == pytest.approx((0.4, 0.1))
    assert set(table["option"]) == {"a", "b", "c"} and not table["misleading"].any()


def test_an_option_that_draws_the_strongest_learners_is_flagged_misleading(store: Store) -> None:
    log = Log(store)
    for learner in range(20):
        strong = learner >= 10
        for item in ("q1", "q2", "q3"):
            answer(log, code(learner), item, strong, "a" if strong else "b")
        # q4: strong learners mostly pick the plausible wrong «c», weak ones guess between a and d
        if strong:
            answer(log, code(learner), "q4", learner % 3 == 0, "a" if learner % 3 == 0 else "c")
        else:
            answer(log, code(learner), "q4", learner % 2 == 0, "a" if learner % 2 == 0 else "d")
    log.save()
    data = an.load(store, course=None)
    table = an.distractors(data)
    flagged = table[table["misleading"]]
    assert list(zip(flagged["item"], flagged["option"], strict=True)) == [("q4", "c")]
    assert an.misleading_items(data) == [("samtalen", "q4")]
    items = an.quiz_items(data).set_index("item")
    assert items.loc["q4", "misleading"] and items.loc["q4", "top_distractor"] == "c"
    assert items.loc["q4", "discrimination"] < 0.2 < items.loc["q1", "discrimination"]


# -- trygghet -------------------------------------------------------------------------------------------------------


def test_confidence_change_is_the_paired_mean_with_scipys_interval_and_d_z(store: Store) -> None:
    from scipy import stats

    rng = np.random.default_rng(4)
    log = Log(store)
    before_means, after_means = [], []
    for learner in range(30):
        b = rng.integers(1, 6, size=3)
        a = np.clip(b + rng.integers(-1, 3, size=3), 1, 7)
        for phase, values in (("before", b), ("after", a)):
            for statement, value in zip(("c1", "c2", "c3"), values, strict=True):
                if (
                    phase == "before" and statement == "c1"
                ):  # an earlier rating, later changed: the latest counts
                    log(
                        code(learner),
                        "rated",
                        f"samtalen/confidence/{statement}",
                        "confidence-statement",
                        {"score": {"raw": 7, "max": 7}, "phase": phase},
                    )
                log(
                    code(learner),
                    "rated",
                    f"samtalen/confidence/{statement}",
                    "confidence-statement",
                    {"score": {"raw": int(value), "max": 7}, "phase": phase},
                )
        before_means.append(b.mean())
        after_means.append(a.mean())
    log(
        code(99),
        "rated",
        "samtalen/confidence/c1",
        "confidence-statement",  # only before: not paired
        {"score": {"raw": 1, "max": 7}, "phase": "before"},
    )
    log.save()
    row = an.confidence_change(an.load(store, course=None)).iloc[0]
    diff = np.array(after_means) - np.array(before_means)
    ci = stats.ttest_rel(after_means, before_means).confidence_interval(0.95)
    assert row["n"] == 30
    assert row["change"] == pytest.approx(diff.mean())
    assert row["before"] == pytest.approx(np.mean(before_means))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert row["d_z"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    assert row["improved"] == pytest.approx((diff > 0).mean())


# -- funnel, simulator, organisations -------------------------------------------------------------------------------


def test_funnel_counts_learners_per_section_of_those_who_started(store: Store) -> None:
    log = Log(store)
    for learner in range(15):
        log(code(learner), "launched", "samtalen", "theme")
        for section in ("confidence-before", "expert-film", "quiz")[: 1 + learner % 3]:
            log(code(learner), "progressed", f"samtalen/section/{section}", "section", {"completion": True})
            log(code(learner), "progressed", f"samtalen/section/{section}", "section", {"completion": True})
    log.save()
    table = an.funnel(an.load(store)).set_index("step")
    theme = load_course().theme("samtalen")
    assert list(table.index) == ["launched", *theme.sections]
    assert table.loc["launched", "learners"] == 15 and table.loc["confidence_before", "learners"] == 15
    assert table.loc["expert_film", "learners"] == 10 and table.loc["expert_film", "share"] == pytest.approx(
        10 / 15
    )
    assert table.loc["quiz", "learners"] == 5 and table.loc["quiz", "share"] == pytest.approx(5 / 15)
    assert math.isnan(table.loc["tool_film", "learners"])  # 0 learners: under k, not shown as a number


def test_simulator_attempts_are_each_learners_nth_conversation(store: Store) -> None:
    log = Log(store)
    for learner in range(6):
        for attempt, (reflections, open_q, closed_q, suicide) in enumerate(
            [(1, 1, 1, 0), (2, 2, 0, 1), (3, 1, 0, 1)]
        ):
            if learner < 5 or attempt == 0:
                questions = open_q + closed_q
                log(
                    code(learner),
                    "completed",
                    "samtalen/scenario/forste-kontakt",
                    "scenario",
                    {
                        "end": "good_close",
                        "turns": 8,
                        "counts": {"suicide_question": suicide},
                        "reflection_to_question": reflections / questions,
                        "open_question_share": open_q / questions,
                        "success": True,
                    },
                )
    log.save()
    table = an.simulator_trends(an.load(store, course=None), max_attempt=3).set_index("attempt")
    assert list(table["n"]) == [6, 5, 5]
    assert list(table["rq"]) == pytest.approx([0.5, 1.0, 3.0])
    assert list(table["open_share"]) == pytest.approx([0.5, 1.0, 1.0])
    assert list(table["asked_suicide"]) == pytest.approx([0.0, 1.0, 1.0])
    change = an.simulator_change(an.load(store, course=None)).set_index("measure")
    assert change.loc["rq", "n"] == 5 and change.loc["rq", "change"] == pytest.approx(2.5)


def test_small_organisations_are_merged_or_left_out(store: Store) -> None:
    log = Log(store)
    sizes = {"big": 7, "small-1": 3, "small-2": 2, "tiny": 0}
    n = 0
    for org, size in sizes.items():
        for _ in range(size):
            log(code(n), "launched", "samtalen", "theme", org=org)
            n += 1
    log.save()
    table = an.organisations(an.load(store, course=None))
    assert list(table["org"]) == ["big", an.OTHERS] and list(table["learners"]) == [7, 5]
    store.delete_learner(code(11))  # small-2 now has one learner: «Andre» would be 4, under k
    table = an.organisations(an.load(store, course=None))
    assert list(table["org"]) == ["big"]


def test_everything_resting_on_fewer_than_k_learners_is_blank(store: Store) -> None:
    log = Log(store)
    for learner in range(4):
        log(code(learner), "launched", "samtalen", "theme")
        for item in ("q1", "q2"):
            answer(log, code(learner), item, learner % 2 == 0, "a")
        for phase, value in (("before", 3), ("after", 5)):
            log(
                code(learner),
                "rated",
                "samtalen/confidence/c1",
                "confidence-statement",
                {"score": {"raw": value, "max": 7}, "phase": phase},
            )
    log.save()
    data = an.load(store)
    assert data.n_learners == 4
    assert an.funnel(data)[["learners", "share", "started"]].isna().all().all()
    quiz = an.quiz_items(data)
    assert quiz[["n", "difficulty", "discrimination"]].isna().all().all()
    assert an.distractors(data)[["rate", "rate_upper", "rate_lower"]].isna().all().all()
    assert an.confidence_change(data)[["n", "change", "d_z"]].isna().all().all()
    assert an.organisations(data).empty
    with_k3 = an.load(store, k=3)
    assert an.confidence_change(with_k3).iloc[0]["change"] == pytest.approx(2.0)


def test_an_empty_database_gives_empty_tables_and_figures_that_say_so(store: Store) -> None:
    data = an.load(store)
    assert data.n_learners == 0 and not data.synthetic
    for name, table in an.all_aggregates(data).items():
        assert isinstance(table, pd.DataFrame), name
    for plot in (
        an.plot_funnel,
        an.plot_quiz_items,
        an.plot_confidence,
        an.plot_simulator,
        an.plot_organisations,
        an.plot_misleading,
    ):
        fig = plot(data)
        texts = " ".join(t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text")))
        assert "Bygger på 0" in texts or "For få" in texts or "Ingen" in texts, plot.__name__
        # in a notebook the message shows as text, not as a picture of text
        assert fig._repr_png_() is None and "vises ikke, så ingen kan kjennes igjen" in fig._repr_markdown_()
    assert "For få deltakere til å vise tall ennå" in an.describe(data).data


# -- on demo data ---------------------------------------------------------------------------------------------------


def test_demo_patterns_are_found_again(demo: an.Dataset) -> None:
    assert demo.synthetic and demo.n_learners == 300
    theme = next(t for t in demo.course.themes if t.ready and t.quiz)
    assert ("samtalen", demo_data.misleading_item(demo.course.theme("samtalen"))) in an.misleading_items(demo)
    confidence = an.confidence_change(demo).dropna(subset=["n"])
    assert (confidence["ci_low"] > 0).all() and (confidence["d_z"] > 0.5).all()
    sim = an.simulator_trends(demo)
    assert sim.loc[2, "rq"] > sim.loc[0, "rq"] and sim.loc[2, "open_share"] > sim.loc[0, "open_share"]
    assert sim.loc[2, "asked_suicide"] > sim.loc[0, "asked_suicide"]
    funnel = an.funnel(demo)
    first = funnel[funnel["theme"] == theme.id]
    assert first["share"].iloc[-1] < first["share"].iloc[1]  # fewer finish than start
    items = an.quiz_items(demo)
    assert items["difficulty"].max() - items["difficulty"].min() > 0.4  # easy and hard items


def test_no_learner_code_appears_in_any_table_or_figure(demo: an.Dataset) -> None:
    for name, table in an.all_aggregates(demo).items():
        text = table.to_csv()
        assert not CODE.search(text), name
    for frame in (demo.learners, demo.progress, demo.answers, demo.ratings, demo.simulations):
        assert "actor" not in frame.columns and frame["learner"].dtype.kind == "i"
    fig = an.plot_organisations(demo)
    assert not CODE.search(" ".join(t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))))


@pytest.mark.parametrize(
    "plot",
    [
        "plot_funnel",
        "plot_quiz_items",
        "plot_misleading",
        "plot_confidence",
        "plot_simulator",
        "plot_organisations",
    ],
)
def test_every_figure_says_how_many_learners_it_rests_on_in_norwegian(demo: an.Dataset, plot: str) -> None:
    fig = getattr(an, plot)(demo)
    texts = " ".join(" ".join(t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))).split())
    assert re.search(r"Bygger på \d+ deltakere", texts), texts[-300:]
    assert "Syntetiske demodata" in texts
    assert fig._repr_png_().startswith(b"\x89PNG")  # shows itself in a notebook
    assert fig._repr_markdown_() is None


def test_norwegian_tables(demo: an.Dataset) -> None:
    shown = an.norsk(an.confidence_change(demo)).data
    assert {"Tema", "Deltakere", "Endring (snitt)", "Cohens d_z", "95 % KI fra"} <= set(shown.columns)
    shares = shown["Andel som økte"]
    assert (shares.str.endswith(" %") | (shares == "–")).all() and shares.str.endswith(" %").any()


def test_open_data_reads_trygge_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    store = Store(url)
    demo_data.generate(store, learners=20, orgs=2, seed=1)
    store.dispose()
    monkeypatch.setenv("TRYGGE_DB_URL", url)
    data = an.open_data()
    assert data.n_learners == 20 and data.synthetic and "x.sqlite" in data.source
    assert "Syntetiske demodata" in an.describe(data).data


def test_the_notebooks_refuse_to_run_on_the_learners_voila_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_SERVER_URL", "http://127.0.0.1:8866/")
    with pytest.raises(an.NotForLearners, match="åpnes i JupyterLab"):
        an.open_data()
