"""What the analyst notebooks compute: does the course work? All of it from anonymous events, with small groups held back.

The notebooks in ``notebooks/analyse/`` are thin; every number and figure comes from here::

    data = open_data()            # TRYGGE_DB_URL, or synthetic demo data when it is not set
    funnel(data)                  # how far learners get through each theme, section by section
    quiz_items(data)              # per quiz item: difficulty, discrimination, the most chosen wrong option
    distractors(data)             # per option: how often it is chosen, by stronger and weaker learners
    confidence_change(data)       # trygghet before/after per theme: paired mean change, Cohen's d_z, 95 % CI
    simulator_trends(data)        # conversation skills by attempt: reflections per question, open questions …
    organisations(data)           # the organisations side by side

Privacy rules kept here:

* Learners are numbers (0, 1, 2 …) from the moment the rows are read; their codes are never in a table or figure.
* **k-suppression**: a number that rests on fewer than ``k`` learners (default 5) is not shown (``NaN`` in tables,
  «færre enn k» in figures). An organisation with fewer than ``k`` learners is merged into «Andre (små grupper)» when
  those together reach ``k``, and left out otherwise.
* No free text is read: the shared reflections stay in the database.

Definitions (and the choices behind them):

* *Difficulty* (p): the share of learners whose **first** answer to an item was right. Higher is easier.
* *Discrimination*: the corrected item–rest correlation (point-biserial): the correlation between being right on
  this item and the share right on the theme's other items, first answers only. Below 0.2 the item tells strong and
  weak learners apart poorly.
* A *misleading distractor*: a wrong option chosen by at least 20 % on their first answer, and by the stronger half of
  learners (on the theme's other items) at least 5 points more often than by the weaker half: it draws those who know
  the most.
* *Trygghet change*: per learner and theme, the mean rating after minus the mean rating before (the latest rating of
  each statement). Reported: the paired mean change, its 95 % confidence interval (t distribution), and Cohen's d
  for paired data, **d_z** = mean change / standard deviation of the changes.
* *Simulator attempt*: a learner's n-th finished conversation in a theme. Reflection-to-question ratio (MITI 4.2:
  1 fair, 2 good) and share of open questions (MITI 3.1.1: 50 % fair, 70 % good) per conversation with questions;
  «spurte direkte om selvmord» = at least one reply the coach labelled ``suicide_question``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_K",
    "Dataset",
    "all_aggregates",
    "confidence_change",
    "describe",
    "distractors",
    "funnel",
    "load",
    "norsk",
    "open_data",
    "organisations",
    "plot_confidence",
    "plot_distractors",
    "plot_funnel",
    "plot_misleading",
    "misleading_items",
    "plot_organisations",
    "plot_quiz_items",
    "plot_simulator",
    "quiz_items",
    "simulator_trends",
]

#: The smallest group a number may rest on.
DEFAULT_K = 5
#: Thresholds the analyses mark (see the module docstring).
DISCRIMINATION_LOW = 0.2
MISLEADING_RATE = 0.2
MISLEADING_MARGIN = 0.05
OTHERS = "Andre (små grupper)"

# -- loading --------------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Dataset:
    """The rows the analyses need, read once. Learners are integers (0, 1, 2 …), never their codes.

    Attributes
    ----------
    learners: learner, org
    progress: learner, theme, step — ``launched`` (opened the theme) and ``confidence_after`` (finished it)
    section_counts: theme, step, learners — how many different learners finished each section (counted by the
        database)
    answers: learner, theme, item, success, response (``"a,c"``), seq — first answers only
    ratings: learner, theme, statement, phase, score, seq
    simulations: learner, theme, scenario, seq, rq, open_share, suicide_question
    """

    learners: pd.DataFrame
    progress: pd.DataFrame
    section_counts: pd.DataFrame
    answers: pd.DataFrame
    ratings: pd.DataFrame
    simulations: pd.DataFrame
    k: int = DEFAULT_K
    synthetic: bool = False
    source: str = ""
    course: Any = None
    n_events: int = 0
    _cache: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def n_learners(self) -> int:
        return len(self.learners)


def _engine(source: Any) -> tuple[Any, str, Any]:
    """(engine, display url, store to dispose or None) for a Store, an engine or a URL."""
    from .store import Store

    if isinstance(source, Store):
        return source.engine, source.display_url, None
    if hasattr(source, "dialect") and hasattr(source, "connect"):
        return source, source.url.render_as_string(hide_password=True), None
    store = Store(source)
    return store.engine, store.display_url, store


def _course_or_none() -> Any:
    from .content import ContentError, load_course

    try:
        return load_course()
    except (ContentError, OSError):
        return None


def _queries() -> dict[str, Any]:
    """The queries :func:`load` runs, as SQLAlchemy expressions (the same on SQLite and PostgreSQL).

    They read the typed result columns (migration 0003), never the JSON, and everything but the count and the
    ``synthetic`` flag is in ``ix_events_analytics``, so the database answers from that index alone.
    """
    import sqlalchemy as sa

    from .store import events_table as ev

    section = ev.c.object_id.like("%/section/%")
    launched_theme = (ev.c.verb == "launched") & (ev.c.object_type == "theme")
    return {
        "count": sa.select(sa.func.count()).select_from(ev),
        # One JSON read at most per launched theme, and only until the first synthetic event is found.
        "synthetic": sa.select(sa.func.count()).select_from(
            sa.select(ev.c.seq)
            .where(launched_theme & ev.c.context["synthetic"].as_boolean().is_(True))
            .limit(1)
            .subquery()
        ),
        "launched": sa.select(ev.c.actor, ev.c.org, ev.c.object_id).where(launched_theme).distinct(),
        "finished": sa.select(ev.c.actor, ev.c.org, ev.c.object_id)
        .where(
            (ev.c.verb == "progressed")
            & (ev.c.object_type == "section")
            & ev.c.object_id.like("%/section/confidence-after")
        )
        .distinct(),
        "sections": sa.select(ev.c.object_id, sa.func.count(sa.distinct(ev.c.actor)))
        .where((ev.c.verb == "progressed") & (ev.c.object_type == "section") & section)
        .group_by(ev.c.object_id),
        "answers": sa.select(
            ev.c.actor, ev.c.org, ev.c.object_id, ev.c.success, ev.c.response, ev.c.seq
        ).where(
            (ev.c.verb == "answered") & (ev.c.object_type == "quiz-item") & ev.c.first_attempt.is_not(False)
        ),
        "ratings": sa.select(ev.c.actor, ev.c.org, ev.c.object_id, ev.c.phase, ev.c.score, ev.c.seq).where(
            (ev.c.verb == "rated") & (ev.c.object_type == "confidence-statement")
        ),
        "simulations": sa.select(
            ev.c.actor,
            ev.c.org,
            ev.c.object_id,
            ev.c.seq,
            ev.c.reflection_to_question,
            ev.c.open_question_share,
            ev.c.suicide_questions,
        ).where((ev.c.verb == "completed") & (ev.c.object_type == "scenario")),
    }


COLUMNS = {
    "count": ["n"],
    "synthetic": ["n"],
    "launched": ["actor", "org", "object_id"],
    "finished": ["actor", "org", "object_id"],
    "sections": ["object_id", "learners"],
    "answers": ["actor", "org", "object_id", "success", "response", "seq"],
    "ratings": ["actor", "org", "object_id", "phase", "score", "seq"],
    "simulations": ["actor", "org", "object_id", "seq", "rq", "open_share", "suicide_question"],
}


def _fetch(engine: Any, names: list[str], sql: dict[str, str], out: dict[str, dict[str, np.ndarray]]) -> None:
    """Run some of the queries on one connection, straight through the database driver (no per-row conversion).

    Each result becomes one array per column (``object`` arrays, as the driver gave the values).
    """
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            for name in names:
                cursor.execute(sql[name])
                rows = cursor.fetchall()
                table = (
                    np.array(rows, dtype=object) if rows else np.empty((0, len(COLUMNS[name])), dtype=object)
                )
                out[name] = {column: table[:, i] for i, column in enumerate(COLUMNS[name])}
        finally:
            cursor.close()


def _bool(values: np.ndarray) -> np.ndarray:
    """A boolean column as the databases return it (SQLite 1/0, PostgreSQL true/false; NULL is false)."""
    return np.asarray(values == 1, dtype=bool)


def _number(values: np.ndarray) -> np.ndarray:
    """A numeric column (NULL → NaN)."""
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype="float64")


def _strings(values: np.ndarray) -> pd.arrays.StringArray:
    """Text values (NULL → missing) as pandas' string type, converted once per distinct value."""
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(values):
        return pd.array([], dtype="string")
    table = pd.array(list(uniques) + [None], dtype="string")
    return table.take(np.where(positions < 0, len(uniques), positions))


def load(source: Any = None, *, k: int = DEFAULT_K, course: Any = "auto") -> Dataset:
    """Read what the analyses need from a store, an engine or a database URL (default: ``TRYGGE_DB_URL``).

    ``course`` gives titles, section order and quiz options; by default the course directory's (``None``: without).

    Only the rows and columns the analyses use are read: the typed result columns (never the JSON), from one index
    that holds them all; sections are counted by the database; the queries run on two connections at once. Learner
    codes become numbers as soon as the rows arrive.
    """
    import threading

    engine, display, owned = _engine(source)
    sql = {
        name: str(q.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        for name, q in _queries().items()
    }
    raw: dict[str, dict[str, np.ndarray]] = {}
    errors: list[BaseException] = []
    # The biggest query on one connection, the rest on another: two cores, two database cursors.
    groups = [
        ["answers", "count", "synthetic"],
        ["ratings", "simulations", "launched", "finished", "sections"],
    ]

    def work(names: list[str]) -> None:
        try:
            _fetch(engine, names, sql, raw)
        except BaseException as exc:  # re-raised below, in the caller's thread
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(g,)) for g in groups[1:]]
        for thread in threads:
            thread.start()
        work(groups[0])
        for thread in threads:
            thread.join()
    finally:
        if owned is not None:
            owned.dispose()
    if errors:
        raise errors[0]
    return _dataset(raw, k=k, display=display, course=_course_or_none() if course == "auto" else course)


def _dataset(raw: dict[str, dict[str, np.ndarray]], *, k: int, display: str, course: Any) -> Dataset:
    """The :class:`Dataset` made from the columns the queries returned."""
    # Learners: numbered in the order of their codes (the same numbers from SQLite and PostgreSQL); each learner's
    # organisation is the first one named in the frames below, in this order.
    names = ("launched", "finished", "answers", "ratings", "simulations")
    all_actors = np.concatenate([raw[n]["actor"] for n in names])
    all_orgs = np.concatenate([raw[n]["org"] for n in names])
    positions, codes = pd.factorize(all_actors, sort=True)
    org_of = np.full(len(codes), "(ukjent)", dtype=object)
    named = np.flatnonzero(pd.notna(all_orgs))
    first = np.unique(positions[named], return_index=True)
    org_of[first[0]] = [str(o) for o in all_orgs[named[first[1]]]]
    learners = pd.DataFrame({"learner": np.arange(len(codes), dtype="int64"), "org": org_of})
    learners["org"] = learners["org"].astype("string")
    offsets = dict(zip(names, np.cumsum([0] + [len(raw[n]["actor"]) for n in names]), strict=False))

    def ids(name: str) -> np.ndarray:
        start = offsets[name]
        return positions[start : start + len(raw[name]["actor"])].astype("int64")

    def split(values: np.ndarray) -> list[pd.arrays.StringArray]:
        """theme / kind / id of each object id; split once per distinct id (there are a few hundred)."""
        where, uniques = pd.factorize(values)
        parts = [(str(u).split("/", 2) + [None, None])[:3] for u in uniques]
        return [pd.array([p[i] for p in parts] + [None], dtype="string").take(where) for i in range(3)]

    launched, finished = raw["launched"], raw["finished"]
    progress = pd.concat(
        [
            pd.DataFrame(
                {"learner": ids("launched"), "theme": _strings(launched["object_id"]), "step": "launched"}
            ),
            pd.DataFrame(
                {
                    "learner": ids("finished"),
                    "theme": split(finished["object_id"])[0],
                    "step": "confidence_after",
                }
            ),
        ],
        ignore_index=True,
    ).drop_duplicates()
    sec = raw["sections"]
    sp = split(sec["object_id"])
    section_counts = pd.DataFrame(
        {
            "theme": sp[0],
            "step": pd.Series(sp[2]).fillna("").str.replace("-", "_"),
            "learners": sec["learners"].astype("int64"),
        }
    )

    a = raw["answers"]
    ap = split(a["object_id"])
    answers = pd.DataFrame(
        {
            "learner": ids("answers"),
            "theme": ap[0],
            "item": ap[2],
            "success": _bool(a["success"]),
            "response": _strings(a["response"]).fillna(""),
            "seq": a["seq"].astype("int64"),
        }
    )
    t = raw["ratings"]
    tp = split(t["object_id"])
    ratings = pd.DataFrame(
        {
            "learner": ids("ratings"),
            "theme": tp[0],
            "statement": tp[2],
            "phase": _strings(t["phase"]),
            "score": _number(t["score"]),
            "seq": t["seq"].astype("int64"),
        }
    )
    s = raw["simulations"]
    sp = split(s["object_id"])
    simulations = pd.DataFrame(
        {
            "learner": ids("simulations"),
            "theme": sp[0],
            "scenario": sp[2],
            "seq": s["seq"].astype("int64"),
            "rq": _number(s["rq"]),
            "open_share": _number(s["open_share"]),
            "suicide_question": np.nan_to_num(_number(s["suicide_question"])).astype("int64"),
        }
    )
    synthetic = bool(raw["synthetic"]["n"][0]) or bool(learners["org"].str.startswith("demo-org-").any())
    return Dataset(
        learners,
        progress,
        section_counts,
        answers,
        ratings,
        simulations,
        k=k,
        synthetic=synthetic,
        source=display,
        course=course,
        n_events=int(raw["count"]["n"][0]),
    )


class NotForLearners(RuntimeError):
    """The analyst notebooks were opened on the learners' server (Voilà): they belong in JupyterLab."""


#: Set in every kernel Voilà starts (voila.utils.ENV_VARIABLE).
VOILA_VARIABLES = ("VOILA_KERNEL_ID", "VOILA_SERVER_URL", "VOILA_PREHEAT", "VOILA_BASE_URL")


def open_data(*, k: int = DEFAULT_K, demo_learners: int = 400, demo_orgs: int = 8, seed: int = 1) -> Dataset:
    """The data the notebooks analyse: ``TRYGGE_DB_URL`` if set, else synthetic demo data (made once, in
    ``var/demo.sqlite`` of the course directory, with ``trygge demo-data``'s generator).

    Refuses to run in a kernel Voilà started: ``trygge serve`` serves the whole course directory, so the analyst
    notebooks could otherwise be opened from the learners' site.
    """
    if any(os.environ.get(name) for name in VOILA_VARIABLES):
        raise NotForLearners(
            "Analysenotatbøkene er for kursansvarlige og åpnes i JupyterLab, ikke på kursets nettside."
        )
    url = os.environ.get("TRYGGE_DB_URL")
    if url:
        return load(url, k=k)
    from . import demo_data
    from .store import Store

    store = Store(demo_data.default_demo_url())
    try:
        if store.count_events() == 0:
            demo_data.generate(store, demo_learners, demo_orgs, seed)
        return load(store, k=k)
    finally:
        store.dispose()


def describe(data: Dataset) -> Any:
    """A short Markdown note on what the data is (shown at the top of each notebook)."""
    from IPython.display import Markdown

    orgs = data.learners["org"].nunique()
    kind = (
        "**Syntetiske demodata** (`trygge demo-data`), ikke ekte deltakere."
        if data.synthetic
        else "Data fra kurset."
    )
    text = (
        f"{kind} Kilde: `{data.source}`. {_count(data.n_learners, 'deltaker', 'deltakere')}, "
        f"{_count(data.n_events, 'hendelse', 'hendelser')}, {_count(orgs, 'organisasjon', 'organisasjoner')}. "
        f"Tall som bygger på færre enn {data.k} deltakere vises ikke."
    )
    if data.n_learners < data.k:
        text += (
            f"\n\n**For få deltakere til å vise tall ennå:** dataene har {data.n_learners}, og minst {data.k} trengs. "
            "Figurene og tabellene under holder alt tilbake, så ingen kan kjennes igjen."
        )
    return Markdown(text)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# -- helpers --------------------------------------------------------------------------------------------------------


def _cached(function: Any) -> Any:
    """Compute ``function(data)`` once per dataset (several tables and figures share these steps); callers get a
    copy to change as they like."""

    def wrapper(data: Dataset) -> pd.DataFrame:
        key = function.__name__
        if key not in data._cache:
            data._cache[key] = function(data)
        return data._cache[key].copy()

    wrapper.__name__ = wrapper.__qualname__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def _theme_order(data: Dataset) -> list[str]:
    if data.course is not None:
        return [t.id for t in data.course.themes]
    frames = (data.progress, data.section_counts, data.answers, data.ratings, data.simulations)
    return sorted(set().union(*(set(f["theme"].dropna()) for f in frames)))


def _theme_title(data: Dataset, theme_id: str) -> str:
    if data.course is not None:
        for t in data.course.themes:
            if t.id == theme_id:
                return str(t.title)
    return theme_id


def _suppress(frame: pd.DataFrame, n_col: str, cols: list[str], k: int) -> pd.DataFrame:
    """Blank ``cols`` (and the count itself) where ``n_col`` < k."""
    small = frame[n_col] < k
    frame = frame.copy()
    for col in cols:
        frame[col] = frame[col].astype("float64").where(~small)
    frame[n_col] = frame[n_col].astype("float64").where(~small)
    return frame


# -- completion funnel ----------------------------------------------------------------------------------------------


def funnel(data: Dataset) -> pd.DataFrame:
    """How many learners finished each section of each theme, of those who opened the theme.

    Columns: theme, step (section kind, first row ``launched``), position, learners, share (of those who started).
    Counts under ``k`` are blank; a theme started by fewer than ``k`` learners is blank throughout.
    """
    from .content import SECTION_TITLES

    launched = data.progress[data.progress["step"] == "launched"].groupby("theme")["learner"].nunique()
    counts = data.section_counts.set_index(["theme", "step"])["learners"]
    counts = pd.concat(
        [
            counts,
            pd.Series(
                launched.to_numpy(),
                index=pd.MultiIndex.from_arrays(
                    [launched.index, ["launched"] * len(launched)], names=["theme", "step"]
                ),
            ),
        ]
    )
    rows = []
    for theme in _theme_order(data):
        steps = ["launched"]
        if data.course is not None:
            steps += list(data.course.theme(theme).sections)
        else:
            steps += sorted(s for s in counts.get(theme, pd.Series(dtype=int)).index if s != "launched")
        started = int(counts.get((theme, "launched"), 0))
        if not started and not any(counts.get((theme, s), 0) for s in steps):
            continue
        for position, step in enumerate(steps):
            n = int(counts.get((theme, step), 0))
            rows.append(
                {
                    "theme": theme,
                    "step": step,
                    "title": "Startet temaet" if step == "launched" else SECTION_TITLES.get(step, step),
                    "position": position,
                    "learners": n,
                    "share": n / started if started else np.nan,
                    "started": started,
                }
            )
    table = pd.DataFrame(rows, columns=["theme", "step", "title", "position", "learners", "share", "started"])
    if table.empty:
        return table
    table = _suppress(table, "learners", ["share"], data.k)
    table.loc[table["started"] < data.k, ["learners", "share"]] = np.nan
    table["started"] = table["started"].astype("float64").where(table["started"] >= data.k)
    return table.reset_index(drop=True)


# -- quiz item analysis ---------------------------------------------------------------------------------------------


@_cached
def _first_answers(data: Dataset) -> pd.DataFrame:
    """Each learner's first answer to each item (the answers read are first attempts; a reload of the page may repeat
    one)."""
    first = data.answers.sort_values("seq")
    return first.drop_duplicates(["learner", "theme", "item"], keep="first")


@_cached
def _rest_scores(data: Dataset) -> pd.DataFrame:
    """Per first answer: the learner's share right on the theme's *other* items (NaN if they answered no other)."""
    first = _first_answers(data)
    grouped = first.groupby(["learner", "theme"])["success"]
    total = grouped.transform("sum")
    count = grouped.transform("count")
    rest_n = count - 1
    rest = (total - first["success"].astype(int)) / rest_n.where(rest_n > 0)
    return first.assign(rest=rest.astype("float64"))


def _item_meta(data: Dataset) -> dict[tuple[str, str], dict[str, Any]]:
    meta: dict[tuple[str, str], dict[str, Any]] = {}
    if data.course is None:
        return meta
    for theme in data.course.themes:
        for position, item in enumerate(theme.quiz):
            if item["type"] == "true_false":
                options = [("Sant", item["answer"] is True), ("Usant", item["answer"] is False)]
            else:
                options = [(o["text"], bool(o.get("correct"))) for o in item["options"]]
            meta[(theme.id, str(item["id"]))] = {
                "position": position,
                "prompt": item["prompt"],
                "type": item["type"],
                "options": options,
            }
    return meta


def _halves(first: pd.DataFrame) -> pd.Series:
    """Per first answer: ``upper`` / ``lower`` half of the item's answerers by rest score (median split), or ``none``."""
    median = first.groupby(["theme", "item"])["rest"].transform("median")
    half = np.where(first["rest"] > median, "upper", "lower")
    return pd.Series(np.where(first["rest"].isna() | median.isna(), "none", half), index=first.index)


def distractors(data: Dataset) -> pd.DataFrame:
    """Per quiz item and option: how often it was chosen on the first answer, overall and by the upper and lower half
    of learners (on the theme's other items).

    Columns: theme, item, option (a, b …), text, correct, n, rate, rate_upper, rate_lower, misleading.
    """
    cached = data._cache.get("distractors")
    if cached is not None:
        return cached.copy()
    first = _rest_scores(data)
    first["half"] = _halves(first)
    meta = _item_meta(data)
    sizes = first.groupby(["theme", "item"], sort=False).size()
    half_sizes = first.groupby(["theme", "item", "half"]).size()
    # One indicator column per option letter (vectorised substring tests, no per-row Python).
    letters = [chr(c) for c in range(97, 97 + 26)]
    marks = {
        f"opt_{x}": first["response"].str.contains(x, regex=False).fillna(False).astype(int) for x in letters
    }
    marks = {k: v for k, v in marks.items() if v.any()}
    chosen = pd.DataFrame({"theme": first["theme"], "item": first["item"], "half": first["half"], **marks})
    counts = chosen.groupby(["theme", "item"]).sum(numeric_only=True)
    half_counts = chosen.groupby(["theme", "item", "half"]).sum(numeric_only=True)
    right = chosen[first["success"].to_numpy()].groupby(["theme", "item"]).sum(numeric_only=True)
    # Plain dicts for the lookups below ({key: {column: count}}): a few hundred lookups, each cheap.
    tables = {id(t): t.to_dict("index") for t in (counts, half_counts, right)}

    def count(table: pd.DataFrame, key: tuple, letter: str) -> int:
        return int(tables[id(table)].get(key, {}).get(f"opt_{letter}", 0))

    def rate(count: float, n: float) -> float:
        return count / n if n >= data.k else np.nan

    rows = []
    for (theme, item), n in sizes.items():
        info = meta.get((theme, item))
        if info:
            options = info["options"]
        else:  # no course at hand: the letters seen, right if a right answer used them
            seen = [x for x in letters if count(counts, (theme, item), x)]
            last = max(seen, default="a")
            options = [(chr(c), count(right, (theme, item), chr(c)) > 0) for c in range(97, ord(last) + 1)]
        n_up, n_low = half_sizes.get((theme, item, "upper"), 0), half_sizes.get((theme, item, "lower"), 0)
        for index, (text, correct) in enumerate(options):
            letter = chr(97 + index)
            rows.append(
                {
                    "theme": theme,
                    "item": item,
                    "option": letter,
                    "text": text,
                    "correct": bool(correct),
                    "n": int(n),
                    "rate": rate(count(counts, (theme, item), letter), n),
                    "rate_upper": rate(count(half_counts, (theme, item, "upper"), letter), n_up),
                    "rate_lower": rate(count(half_counts, (theme, item, "lower"), letter), n_low),
                }
            )
    table = pd.DataFrame(
        rows, columns=["theme", "item", "option", "text", "correct", "n", "rate", "rate_upper", "rate_lower"]
    )
    if table.empty:
        table = table.assign(misleading=pd.Series(dtype=bool))
    else:
        table["misleading"] = (
            (~table["correct"].astype(bool))
            & (table["rate"] >= MISLEADING_RATE)
            & ((table["rate_upper"] - table["rate_lower"]).fillna(-1) >= MISLEADING_MARGIN)
        )
        table = _suppress(table, "n", ["rate", "rate_upper", "rate_lower"], data.k)
        table.loc[table["n"].isna(), "misleading"] = False
        table = table.reset_index(drop=True)
    data._cache["distractors"] = table
    return table.copy()


def quiz_items(data: Dataset) -> pd.DataFrame:
    """Per quiz item: learners (first answers), difficulty, discrimination, and the most chosen wrong option.

    Columns: theme, item, prompt, n, difficulty, discrimination, top_distractor, top_distractor_rate, misleading.
    """
    first = _rest_scores(data)
    meta = _item_meta(data)
    x = first["success"].astype(float)
    y = first["rest"]
    both = y.notna()
    sums = pd.DataFrame(
        {
            "theme": first["theme"],
            "item": first["item"],
            "learner": first["learner"],
            "x": x,
            "both": both.astype(int),
            "bx": x.where(both, 0),
            "by": y.fillna(0),
            "bxx": (x * x).where(both, 0),
            "byy": (y * y).fillna(0),
            "bxy": (x * y).fillna(0),
        }
    )
    g = (
        sums.groupby(["theme", "item"], sort=False)
        .agg(
            n=("learner", "nunique"),
            difficulty=("x", "mean"),
            m=("both", "sum"),
            sx=("bx", "sum"),
            sy=("by", "sum"),
            sxx=("bxx", "sum"),
            syy=("byy", "sum"),
            sxy=("bxy", "sum"),
        )
        .reset_index()
    )
    m = g["m"].astype(float)
    cov = g["sxy"] - g["sx"] * g["sy"] / m.where(m > 0)
    vx = g["sxx"] - g["sx"] ** 2 / m.where(m > 0)
    vy = g["syy"] - g["sy"] ** 2 / m.where(m > 0)
    ok = (m >= max(3, data.k)) & (vx > 1e-12) & (vy > 1e-12)
    g["discrimination"] = (cov / np.sqrt(vx * vy)).where(ok)
    g["position"] = [
        meta.get((t, i), {}).get("position", 0) for t, i in zip(g["theme"], g["item"], strict=True)
    ]
    g["prompt"] = [meta.get((t, i), {}).get("prompt", "") for t, i in zip(g["theme"], g["item"], strict=True)]
    table = g[["theme", "item", "position", "prompt", "n", "difficulty", "discrimination"]].copy()
    options = distractors(data)
    wrong = options.loc[~options["correct"].astype(bool)].sort_values(
        "rate", ascending=False, na_position="last"
    )
    top = wrong.drop_duplicates(["theme", "item"]).set_index(["theme", "item"])
    misleading = options.groupby(["theme", "item"])["misleading"].any()
    if not table.empty:
        key = pd.MultiIndex.from_frame(table[["theme", "item"]])
        table["top_distractor"] = top["option"].reindex(key).to_numpy()
        table["top_distractor_rate"] = top["rate"].reindex(key).to_numpy()
        table["misleading"] = misleading.reindex(key).fillna(False).astype(bool).to_numpy()
    else:
        table = table.assign(top_distractor=[], top_distractor_rate=[], misleading=[])
    order = {t: i for i, t in enumerate(_theme_order(data))}
    table = table.sort_values(["theme", "position"], key=lambda c: c.map(order) if c.name == "theme" else c)
    table = _suppress(table, "n", ["difficulty", "discrimination", "top_distractor_rate"], data.k)
    table.loc[table["n"].isna(), ["top_distractor"]] = None
    table.loc[table["n"].isna(), "misleading"] = False
    return table.drop(columns="position").reset_index(drop=True)


# -- trygghet before / after ----------------------------------------------------------------------------------------


@_cached
def _paired_means(data: Dataset) -> pd.DataFrame:
    """Per learner and theme: mean rating before, after, and the change (learners with both)."""
    latest = (
        data.ratings.dropna(subset=["score"])
        .sort_values("seq")
        .drop_duplicates(["learner", "theme", "statement", "phase"], keep="last")
    )
    means = latest.pivot_table(index=["learner", "theme"], columns="phase", values="score", aggfunc="mean")
    means = means.reindex(columns=["before", "after"]).dropna()
    means["change"] = means["after"] - means["before"]
    return means.reset_index()


def _paired_summary(changes: pd.Series, before: pd.Series, after: pd.Series) -> dict[str, float]:
    from scipy import stats

    n = len(changes)
    mean = float(changes.mean()) if n else np.nan
    sd = float(changes.std(ddof=1)) if n > 1 else np.nan
    half = float(stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)) if n > 1 and sd == sd else np.nan
    return {
        "n": n,
        "before": float(before.mean()) if n else np.nan,
        "after": float(after.mean()) if n else np.nan,
        "change": mean,
        "sd_change": sd,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "d_z": mean / sd if sd and sd == sd else np.nan,
        "improved": float((changes > 0).mean()) if n else np.nan,
    }


def confidence_change(data: Dataset) -> pd.DataFrame:
    """Trygghet before and after, per theme, for learners who rated both.

    Columns: theme, title, n, before, after, change (paired mean), sd_change, ci_low, ci_high (95 %, t), d_z (Cohen's
    d for paired data: mean change / SD of changes), improved (share whose mean rose).
    """
    paired = _paired_means(data)
    rows = []
    for theme in _theme_order(data):
        sub = paired[paired["theme"] == theme]
        if sub.empty:
            continue
        rows.append(
            {
                "theme": theme,
                "title": _theme_title(data, theme),
                **_paired_summary(sub["change"], sub["before"], sub["after"]),
            }
        )
    cols = [
        "theme",
        "title",
        "n",
        "before",
        "after",
        "change",
        "sd_change",
        "ci_low",
        "ci_high",
        "d_z",
        "improved",
    ]
    table = pd.DataFrame(rows, columns=cols)
    return _suppress(table, "n", cols[3:], data.k).reset_index(drop=True)


# -- simulator ------------------------------------------------------------------------------------------------------


@_cached
def _attempts(data: Dataset) -> pd.DataFrame:
    """Finished conversations in order, each with its attempt number (the learner's n-th in the theme)."""
    sims = data.simulations.sort_values("seq")
    sims["attempt"] = sims.groupby(["learner", "theme"]).cumcount() + 1
    return sims


def simulator_trends(data: Dataset, *, max_attempt: int = 4) -> pd.DataFrame:
    """Conversation skills by attempt (a learner's n-th finished conversation in a theme; the last row is
    ``max_attempt`` and later).

    Columns: attempt, n (learners), conversations, rq (mean reflections per question), open_share (mean share of open
    questions), asked_suicide (share of conversations that asked directly about suicide).
    """
    sims = _attempts(data)
    sims["attempt"] = sims["attempt"].clip(upper=max_attempt)
    table = (
        sims.groupby("attempt")
        .agg(
            n=("learner", "nunique"),
            conversations=("learner", "size"),
            rq=("rq", "mean"),
            open_share=("open_share", "mean"),
            asked_suicide=("suicide_question", lambda s: float((s > 0).mean())),
        )
        .reindex(range(1, max_attempt + 1))
        .reset_index()
    )
    table["n"] = table["n"].fillna(0).astype(int)
    table["conversations"] = table["conversations"].fillna(0).astype(int)
    return _suppress(table, "n", ["conversations", "rq", "open_share", "asked_suicide"], data.k)


def simulator_change(data: Dataset) -> pd.DataFrame:
    """For learners with at least two conversations in a theme: first versus latest, paired (as for trygghet).

    Rows: rq, open_share, asked_suicide. Columns as :func:`confidence_change` (before = first, after = latest).
    """
    sims = _attempts(data)
    sims["asked_suicide"] = (sims["suicide_question"] > 0).astype(float)
    rows = []
    for measure in ("rq", "open_share", "asked_suicide"):
        valid = sims.dropna(subset=[measure])
        grouped = valid.groupby(["learner", "theme"])[measure]
        pair = pd.DataFrame({"first": grouped.first(), "last": grouped.last(), "count": grouped.count()})
        pair = pair[pair["count"] >= 2]
        rows.append(
            {"measure": measure, **_paired_summary(pair["last"] - pair["first"], pair["first"], pair["last"])}
        )
    cols = ["measure", "n", "before", "after", "change", "sd_change", "ci_low", "ci_high", "d_z", "improved"]
    table = pd.DataFrame(rows, columns=cols)
    return _suppress(table, "n", cols[2:], data.k)


# -- organisations --------------------------------------------------------------------------------------------------


def organisations(data: Dataset) -> pd.DataFrame:
    """The organisations side by side; those with fewer than ``k`` learners are merged into «Andre (små grupper)»
    when they reach ``k`` together, and left out otherwise.

    Columns: org, learners, started_theme (share who opened a theme), finished_theme (share who rated trygghet after at
    least one theme), quiz_first_right (mean share right on first answers), confidence_change (mean paired change),
    rq_latest (mean reflections per question in the learner's latest conversation).
    """
    k = data.k
    learners = data.learners[["learner", "org"]].copy()
    sizes = learners["org"].value_counts()
    small = set(sizes[sizes < k].index)
    learners["group"] = learners["org"].where(~learners["org"].isin(small), OTHERS)
    if learners.loc[learners["group"] == OTHERS].shape[0] < k:
        learners = learners[learners["group"] != OTHERS]
    group_of = learners.set_index("learner")["group"]

    per = pd.DataFrame(index=group_of.index)
    per["started_theme"] = per.index.isin(data.progress.loc[data.progress["step"] == "launched", "learner"])
    per["finished_theme"] = per.index.isin(
        data.progress.loc[data.progress["step"] == "confidence_after", "learner"]
    )
    first = _first_answers(data)
    per["quiz_first_right"] = first.groupby("learner")["success"].mean().reindex(per.index)
    per["confidence_change"] = _paired_means(data).groupby("learner")["change"].mean().reindex(per.index)
    latest = _attempts(data).dropna(subset=["rq"]).groupby("learner")["rq"].last()
    per["rq_latest"] = latest.reindex(per.index)
    per["group"] = group_of

    def mean_k(s: pd.Series) -> float:
        s = s.dropna()
        return float(s.mean()) if len(s) >= k else np.nan

    table = (
        per.groupby("group")
        .agg(
            learners=("group", "size"),
            started_theme=("started_theme", "mean"),
            finished_theme=("finished_theme", "mean"),
            quiz_first_right=("quiz_first_right", mean_k),
            confidence_change=("confidence_change", mean_k),
            rq_latest=("rq_latest", mean_k),
        )
        .reset_index()
        .rename(columns={"group": "org"})
    )
    table["_others"] = table["org"] == OTHERS
    table = table.sort_values(["_others", "learners"], ascending=[True, False]).drop(columns="_others")
    return table.reset_index(drop=True)


def all_aggregates(data: Dataset) -> dict[str, pd.DataFrame]:
    """Every table the notebooks show (the benchmark times this)."""
    return {
        "funnel": funnel(data),
        "quiz_items": quiz_items(data),
        "distractors": distractors(data),
        "confidence": confidence_change(data),
        "simulator": simulator_trends(data),
        "simulator_change": simulator_change(data),
        "organisations": organisations(data),
    }


# -- Norwegian tables -----------------------------------------------------------------------------------------------

_NORSK = {
    "theme": "Tema",
    "title": "Tittel",
    "step": "Del",
    "learners": "Deltakere",
    "share": "Andel av dem som startet",
    "started": "Startet",
    "item": "Spørsmål",
    "prompt": "Spørsmålstekst",
    "n": "Deltakere",
    "difficulty": "Andel riktig (første svar)",
    "discrimination": "Diskriminering",
    "top_distractor": "Mest valgte gale svar",
    "top_distractor_rate": "Valgt av",
    "misleading": "Villedende distraktor",
    "option": "Svar",
    "text": "Svaralternativ",
    "correct": "Riktig",
    "rate": "Valgt av",
    "rate_upper": "Valgt av sterkeste halvdel",
    "rate_lower": "Valgt av svakeste halvdel",
    "before": "Før",
    "after": "Etter",
    "change": "Endring (snitt)",
    "sd_change": "SD for endring",
    "ci_low": "95 % KI fra",
    "ci_high": "95 % KI til",
    "d_z": "Cohens d_z",
    "improved": "Andel som økte",
    "attempt": "Forsøk",
    "conversations": "Samtaler",
    "rq": "Refleksjoner per spørsmål",
    "open_share": "Andel åpne spørsmål",
    "asked_suicide": "Andel som spurte direkte om selvmord",
    "org": "Organisasjon",
    "started_theme": "Startet et tema",
    "finished_theme": "Fullførte et tema",
    "quiz_first_right": "Andel riktig i quiz",
    "confidence_change": "Endring i trygghet",
    "rq_latest": "Refleksjoner per spørsmål (siste samtale)",
    "measure": "Mål",
    "position": "Nr.",
}
_PERCENT = {
    "share",
    "difficulty",
    "top_distractor_rate",
    "rate",
    "rate_upper",
    "rate_lower",
    "improved",
    "open_share",
    "asked_suicide",
    "started_theme",
    "finished_theme",
    "quiz_first_right",
}


def norsk(table: pd.DataFrame) -> Any:
    """The table with Norwegian headings, percentages as «42 %», numbers rounded, and «–» for what is held back."""
    shown = table.drop(
        columns=["step", "started"] if "title" in table.columns else [], errors="ignore"
    ).copy()
    if "prompt" in shown.columns:
        shown["prompt"] = [p if len(p) <= 70 else p[:69] + "…" for p in shown["prompt"].fillna("")]

    def fmt(col: str, value: Any) -> Any:
        if isinstance(value, (bool, np.bool_)):
            return "ja" if value else ""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if col in _PERCENT:
            return f"{100 * value:.0f} %"
        if col in ("learners", "n", "started", "conversations"):
            return f"{int(value)}"
        if isinstance(value, float):
            return f"{value:.2f}".replace(".", ",")
        return value

    out = pd.DataFrame({_NORSK.get(c, c): [fmt(c, v) for v in shown[c]] for c in shown.columns})
    return out.style.hide(axis="index") if hasattr(out, "style") else out


# -- figures --------------------------------------------------------------------------------------------------------

ACCENT = "#1d3a5f"
SECOND = "#b35c00"
GOOD = "#1b5e20"
BAD = "#8e1b1b"


def _figure(width: float = 9.0, height: float = 5.0, rows: int = 1, cols: int = 1) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    class _NotebookFigure(Figure):  # type: ignore[misc]
        """A figure that shows itself in a notebook without pyplot (no global state, no double display).

        A figure with nothing to draw (too few learners) shows its message as text instead (``_message``).
        """

        _message: str | None = None

        def _repr_markdown_(self) -> str | None:
            return self._message

        def _repr_png_(self) -> bytes | None:
            if self._message is not None:
                return None
            import io

            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    fig = _NotebookFigure(figsize=(width, height), dpi=110, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, axes


def _footer(fig: Any, data: Dataset, n: int, what: str = "deltakere") -> None:
    note = f"Bygger på {n} {what}. Tall som bygger på færre enn {data.k} deltakere vises ikke."
    if data.synthetic:
        note += " Syntetiske demodata."
    import textwrap

    lines = textwrap.wrap(note, width=int(fig.get_figwidth() * 14))
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=9, color="#333333", ha="left", va="bottom")
    share = (0.03 + 0.025 * len(lines)) * 5 / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, share, 1, 1 - share))


def _empty(fig: Any, ax: Any, data: Dataset, message: str) -> Any:
    """A figure with only ``message``; in a notebook it shows as text (a picture of a sentence helps no one)."""
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, wrap=True)
    _footer(fig, data, 0)
    note = f"Tall som bygger på færre enn {data.k} deltakere vises ikke, så ingen kan kjennes igjen."
    fig._message = f"**{message}** {note}" + (" Syntetiske demodata." if data.synthetic else "")
    return fig


def plot_funnel(data: Dataset, theme: str | None = None) -> Any:
    """Bars: the share of learners who started a theme that finished each of its sections (one panel per theme)."""
    table = funnel(data)
    themes = (
        [theme]
        if theme
        else [t for t in table["theme"].unique() if table.loc[table["theme"] == t, "started"].notna().any()]
    )
    if not themes:
        fig, axes = _figure(8, 3)
        return _empty(fig, axes[0][0], data, f"For få deltakere til å vise fullføring (under {data.k}).")
    cols = 2 if len(themes) > 1 else 1
    rows = math.ceil(len(themes) / cols)
    fig, axes = _figure(6.2 * cols, 0.45 * 11 * rows + 0.8, rows, cols)
    total = 0
    for ax, th in zip(axes.flat, themes, strict=False):
        sub = table[table["theme"] == th]
        started = sub["started"].iloc[0]
        total = max(total, int(started)) if started == started else total
        shares = sub["share"].fillna(0) * 100
        ax.barh(sub["title"], shares, color=ACCENT)
        ax.invert_yaxis()
        ax.set_xlim(0, 105)
        ax.set_xlabel("Andel av dem som startet temaet (%)")
        ax.set_title(
            f"{_theme_title(data, th)} (startet: {int(started) if started == started else '–'})", fontsize=11
        )
        for y, (share, n) in enumerate(zip(sub["share"], sub["learners"], strict=True)):
            label = f"færre enn {data.k}" if n != n else f"{share * 100:.0f} % ({int(n)})"
            ax.text(min(share * 100 if share == share else 0, 100) + 1, y, label, va="center", fontsize=8)
    for ax in list(axes.flat)[len(themes) :]:
        ax.axis("off")
    fig.suptitle("Hvor langt kommer deltakerne i hvert tema?", fontsize=13)
    _footer(
        fig,
        data,
        int(data.progress.loc[data.progress["step"] == "launched", "learner"].nunique()),
        "deltakere som startet minst ett tema",
    )
    return fig


def plot_quiz_items(data: Dataset, theme: str | None = None) -> Any:
    """Scatter per theme: each quiz item's difficulty (share right) against its discrimination; items with a misleading
    distractor marked."""
    table = quiz_items(data)
    if theme:
        table = table[table["theme"] == theme]
    table = table.dropna(subset=["difficulty"])
    themes = list(dict.fromkeys(table["theme"]))
    if not themes:
        fig, axes = _figure(8.5, 3)
        return _empty(
            fig, axes[0][0], data, f"For få svar til å vise quizspørsmålene (under {data.k} per spørsmål)."
        )
    cols = 2 if len(themes) > 1 else 1
    rows = math.ceil(len(themes) / cols)
    fig, axes = _figure(7.5 * cols if cols > 1 else 8.5, 4.2 * rows + 0.6, rows, cols)
    for ax, th in zip(axes.flat, themes, strict=False):
        sub = table[table["theme"] == th]
        plain, flagged = sub[~sub["misleading"]], sub[sub["misleading"]]
        ax.scatter(
            plain["difficulty"] * 100, plain["discrimination"].fillna(0), color=ACCENT, label="Spørsmål"
        )
        ax.scatter(
            flagged["difficulty"] * 100,
            flagged["discrimination"].fillna(0),
            color=BAD,
            marker="D",
            s=60,
            label="Har en villedende distraktor",
        )
        for _, row in sub.iterrows():
            y = row["discrimination"] if row["discrimination"] == row["discrimination"] else 0
            ax.annotate(
                row["item"],
                (row["difficulty"] * 100, y),
                textcoords="offset points",
                xytext=(4, 3),
                fontsize=7,
            )
        ax.axhline(DISCRIMINATION_LOW, color="#777777", linestyle="--", linewidth=1)
        ax.text(
            1,
            DISCRIMINATION_LOW + 0.01,
            "0,2: under dette skiller spørsmålet dårlig",
            fontsize=7,
            color="#555555",
        )
        ax.set_xlim(0, 105)
        ax.set_ylim(min(-0.2, float(sub["discrimination"].min(skipna=True) or 0) - 0.05), 1.0)
        ax.set_xlabel("Andel riktig første gang (%) – til høyre er lettere")
        ax.set_ylabel("Diskriminering")
        n = int(sub["n"].max())
        ax.set_title(f"{_theme_title(data, th)} (opptil {n} deltakere per spørsmål)", fontsize=10)
        ax.legend(loc="lower left", fontsize=7)
    for ax in list(axes.flat)[len(themes) :]:
        ax.axis("off")
    fig.suptitle("Quizspørsmål: vanskelighet og hvor godt de skiller", fontsize=13)
    _footer(
        fig,
        data,
        int(_first_answers(data).loc[lambda f: f["theme"].isin(themes), "learner"].nunique()),
        "deltakere som svarte på quizen",
    )
    return fig


def plot_distractors(data: Dataset, theme: str, item: str) -> Any:
    """Bars: how often each option of one item was chosen on the first answer, by the upper and lower half."""
    table = distractors(data)
    sub = table[(table["theme"] == theme) & (table["item"] == item)]
    fig, axes = _figure(8.5, 4.5)
    ax = axes[0][0]
    if sub.empty or sub["rate"].isna().all():
        return _empty(fig, ax, data, f"For få svar på {theme}/{item} (under {data.k}).")
    y = np.arange(len(sub))
    labels = [
        f"{o}) {'✓ ' if c else ''}{(t[:55] + '…') if len(t) > 56 else t}"
        for o, t, c in zip(sub["option"], sub["text"], sub["correct"], strict=True)
    ]
    ax.barh(y - 0.2, sub["rate_upper"].fillna(0) * 100, height=0.4, color=ACCENT, label="Sterkeste halvdel")
    ax.barh(y + 0.2, sub["rate_lower"].fillna(0) * 100, height=0.4, color=SECOND, label="Svakeste halvdel")
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Andel som valgte svaret første gang (%)")
    ax.set_title(f"Hvem velger hvilket svar? {_theme_title(data, theme)}, spørsmål {item}", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    _footer(fig, data, int(sub["n"].iloc[0]))
    return fig


def misleading_items(data: Dataset) -> list[tuple[str, str]]:
    """(theme, item) of the items with a misleading distractor, the most chosen distractor first."""
    table = distractors(data)
    flagged = table[table["misleading"]].sort_values("rate", ascending=False)
    return list(dict.fromkeys(zip(flagged["theme"], flagged["item"], strict=True)))


def plot_misleading(data: Dataset) -> Any:
    """:func:`plot_distractors` for the item with the most chosen misleading distractor (a note if there is none)."""
    items = misleading_items(data)
    if not items:
        fig, axes = _figure(8, 2.5)
        if distractors(data)["n"].isna().all():
            return _empty(
                fig,
                axes[0][0],
                data,
                f"For få svar til å se etter villedende svaralternativer (under {data.k}).",
            )
        return _empty(
            fig, axes[0][0], data, "Ingen svaralternativ ser ut til å villede de sterkeste deltakerne."
        )
    return plot_distractors(data, *items[0])


def plot_confidence(data: Dataset) -> Any:
    """Per theme: mean trygghet before and after (dots joined by a line), with the change and its 95 % CI written."""
    table = confidence_change(data).dropna(subset=["n"])
    fig, axes = _figure(9, 1.0 + 0.7 * max(2, len(table)))
    ax = axes[0][0]
    if table.empty:
        return _empty(fig, ax, data, f"For få deltakere har svart både før og etter (under {data.k}).")
    y = np.arange(len(table))
    for i, row in enumerate(table.itertuples()):
        ax.plot([row.before, row.after], [i, i], color="#999999", linewidth=2, zorder=1)
    ax.scatter(table["before"], y, color=SECOND, label="Før", zorder=2, s=50)
    ax.scatter(table["after"], y, color=ACCENT, label="Etter", zorder=2, s=50)
    for i, row in enumerate(table.itertuples()):
        ax.text(
            max(row.before, row.after) + 0.1,
            i,
            f"+{row.change:.2f} (95 % KI {row.ci_low:.2f} til {row.ci_high:.2f}), d_z = {row.d_z:.2f}, "
            f"n = {int(row.n)}".replace("+-", "−").replace(".", ","),
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, [f"{t}" for t in table["title"]])
    ax.invert_yaxis()
    scale = 7
    if data.course is not None:
        scales = [t.confidence.get("scale", 7) for t in data.course.themes if t.confidence]
        scale = max(scales) if scales else 7
    ax.set_xlim(1, scale + 3.8)
    ax.set_xticks(range(1, scale + 1))
    ax.set_xlabel(f"Gjennomsnittlig trygghet (1–{scale})")
    ax.set_title("Trygghet før og etter hvert tema (samme deltakere)")
    ax.legend(loc="lower right", fontsize=8)
    _footer(
        fig, data, int(_paired_means(data)["learner"].nunique()), "deltakere som svarte både før og etter"
    )
    return fig


def plot_simulator(data: Dataset) -> Any:
    """Three panels across attempts: reflections per question, share of open questions, asked directly about suicide;
    with the MITI thresholds drawn."""
    table = simulator_trends(data)
    fig, axes = _figure(12, 4.2, 1, 3)
    shown = table.dropna(subset=["n"])
    if shown.empty:
        return _empty(
            fig, axes[0][0], data, f"For få samtaler i simulatoren (under {data.k} deltakere per forsøk)."
        )
    last = int(table["attempt"].max())
    ticks = [
        f"{a if a < last else f'{a}+'}\n(n={int(n)})"
        for a, n in zip(shown["attempt"], shown["n"], strict=True)
    ]
    panels = [
        ("rq", "Refleksjoner per spørsmål", [(1, "MITI 4.2 akseptabel (1:1)"), (2, "god (2:1)")], None),
        (
            "open_share",
            "Andel åpne spørsmål (%)",
            [(50, "MITI 3.1.1 akseptabel (50 %)"), (70, "god (70 %)")],
            100,
        ),
        ("asked_suicide", "Spurte direkte om selvmord (%)", [], 100),
    ]
    for ax, (col, title, lines, scale) in zip(axes.flat, panels, strict=True):
        values = shown[col] * (scale or 1)
        ax.plot(ticks, values, marker="o", color=ACCENT)
        for level, text in lines:
            ax.axhline(level, color="#777777", linestyle="--", linewidth=1)
            ax.text(
                0.01,
                level,
                text,
                fontsize=7,
                va="bottom",
                ha="left",
                color="#555555",
                transform=ax.get_yaxis_transform(),
            )
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("Forsøk (samtale nr. i temaet) og deltakere")
        ax.set_ylim(
            bottom=0,
            top=(
                max(105, (values.max() if len(values) else 0) * 1.1)
                if scale
                else max(2.4, float(values.max()) * 1.2)
            ),
        )
    fig.suptitle("Blir samtalene bedre med øving?", fontsize=13)
    _footer(fig, data, int(data.simulations["learner"].nunique()), "deltakere som fullførte minst én samtale")
    return fig


def plot_organisations(data: Dataset) -> Any:
    """Bars per organisation: share who finished a theme, share right in the quiz, and the change in trygghet."""
    table = organisations(data)
    fig, axes = _figure(12, 1.2 + 0.45 * max(3, len(table)), 1, 3)
    if table.empty:
        return _empty(fig, axes[0][0], data, f"Ingen organisasjon har minst {data.k} deltakere.")
    labels = [f"{o} (n={n})" for o, n in zip(table["org"], table["learners"], strict=True)]
    panels = [
        ("finished_theme", "Fullførte et tema (%)", 100),
        ("quiz_first_right", "Riktig i quiz, første svar (%)", 100),
        ("confidence_change", "Endring i trygghet (poeng)", 1),
    ]
    for i, (ax, (col, title, scale)) in enumerate(zip(axes.flat, panels, strict=True)):
        values = table[col] * scale
        ax.barh(labels, values.fillna(0), color=ACCENT)
        for y, v in enumerate(values):
            ax.text(
                (v if v == v else 0) + (1 if scale == 100 else 0.02),
                y,
                "–" if v != v else (f"{v:.0f} %" if scale == 100 else f"{v:.2f}".replace(".", ",")),
                va="center",
                fontsize=8,
            )
        ax.invert_yaxis()
        ax.set_title(title, fontsize=11)
        if i:
            ax.set_yticks(range(len(labels)), [""] * len(labels))
        if scale == 100:
            ax.set_xlim(0, 110)
    left_out = data.n_learners - int(table["learners"].sum())
    fig.suptitle("Organisasjonene side om side", fontsize=13)
    _footer(
        fig,
        data,
        int(table["learners"].sum()),
        "deltakere" + (f" ({left_out} i for små grupper er utelatt)" if left_out else ""),
    )
    return fig
