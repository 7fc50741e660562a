"""Exports for analysts: CSV, Parquet and xAPI; no learner codes, no small groups, no free text but what was shared;
and docs/events.md kept true to what the widgets emit."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import pytest

from widgets import events as ev
from widgets.content import REPO_ROOT
from widgets.events import Event
from widgets.export import COLUMNS, ExportError, export, flat_row, safe_result
from widgets.store import Store

CODE = re.compile(r"K7QM-\d{4}")  # the learner codes _fill uses


def _fill(store: Store, orgs: dict[str, int]) -> None:
    events = []
    n = 0
    for org, learners in orgs.items():
        for _ in range(learners):
            actor = f"K7QM-{n:04d}"
            n += 1
            ctx = {"course": "trygge-samtaler", "version": "0.1.0", "org": org, "channel": "web"}
            events += [
                Event(actor, "launched", "samtalen", "theme", {}, ctx),
                Event(
                    actor,
                    "answered",
                    "samtalen/quiz/q1",
                    "quiz-item",
                    {
                        "success": False,
                        "response": ["b", "c"],
                        "score": {"raw": 0, "max": 1},
                        "first_attempt": True,
                    },
                    ctx,
                ),
                Event(
                    actor,
                    "responded",
                    "samtalen/scenario/forste-kontakt",
                    "scenario",
                    {"labels": ["open_question"], "intents": [], "node": "n2", "chosen": False, "turn": 1},
                    ctx,
                ),
                Event(
                    actor,
                    "shared",
                    "samtalen/reflection/r1",
                    "reflection",
                    {"response": "Jeg lærte mye. Ring meg på 987 65 432!"},
                    ctx,
                ),
            ]
    store.add_events(events)


@pytest.fixture
def filled(store: Store) -> Store:
    _fill(store, {"stor": 6, "liten": 2})
    return store


def test_csv_has_one_row_per_event_of_big_enough_organisations_and_no_codes(filled: Store) -> None:
    out = io.StringIO()
    summary = export(filled, "csv", out, k=5)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == summary.events == 6 * 4 and summary.learners == 6
    assert (summary.left_out_orgs, summary.left_out_events) == (1, 2 * 4)
    assert {r["org"] for r in rows} == {"stor"}
    assert not CODE.search(out.getvalue())
    assert len({r["learner"] for r in rows}) == 6 and all(
        re.fullmatch(r"L-[0-9a-f]{12}", r["learner"]) for r in rows
    )
    answered = next(r for r in rows if r["verb"] == "answered")
    assert (answered["response"], answered["success"], answered["score_raw"]) == ("b,c", "false", "0.0")
    shared = next(r for r in rows if r["verb"] == "shared")
    assert shared["response"] == "Jeg lærte mye. Ring meg på [telefon]!"  # scrubbed again on the way out


def test_with_k_1_nothing_is_left_out_and_ids_are_stable_only_with_the_same_secret(filled: Store) -> None:
    first, second, third = io.StringIO(), io.StringIO(), io.StringIO()
    assert export(filled, "csv", first, k=1, secret=b"s").events == 8 * 4
    export(filled, "csv", second, k=1, secret=b"s")
    export(filled, "csv", third, k=1)  # a random key
    learners = [
        {r["learner"] for r in csv.DictReader(io.StringIO(o.getvalue()))} for o in (first, second, third)
    ]
    assert learners[0] == learners[1] and not learners[0] & learners[2]


def test_no_shared_text_leaves_reflections_out(filled: Store) -> None:
    out = io.StringIO()
    export(filled, "csv", out, shared_text=False)
    assert "Jeg lærte" not in out.getvalue()


def test_parquet_has_typed_columns(filled: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "hendelser.parquet"
    export(filled, "parquet", path, batch=5)
    table = pq.read_table(path)
    assert table.num_rows == 24 and table.column_names == list(COLUMNS)
    assert str(table.schema.field("timestamp").type) == "timestamp[us, tz=UTC]"
    assert (
        str(table.schema.field("success").type) == "bool" and str(table.schema.field("turn").type) == "int64"
    )
    frame = table.to_pandas()
    assert set(frame.loc[frame["verb"] == "responded", "labels"]) == {"open_question"}
    with pytest.raises(ExportError, match="Parquet er et binærformat"):
        export(filled, "parquet", io.StringIO())


def test_xapi_is_a_json_array_of_statements_with_standard_verbs(filled: Store) -> None:
    out = io.StringIO()
    export(filled, "xapi", out)
    statements = json.loads(out.getvalue())
    assert len(statements) == 24
    answered = next(s for s in statements if s["verb"]["id"].endswith("/answered"))
    assert answered["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert answered["result"]["response"] == "b[,]c" and answered["result"]["score"]["scaled"] == 0
    assert answered["actor"]["account"]["name"].startswith("L-") and answered["version"] == "1.0.3"
    assert answered["context"]["contextActivities"]["parent"][0]["id"].endswith(":activities:samtalen")
    assert not CODE.search(out.getvalue())


def test_safe_result_keeps_the_schema_and_drops_everything_else() -> None:
    hostile = {
        "success": True,
        "score": {"raw": 1, "max": 1, "note": "x"},
        "response": ["a", "Ola Nordmann"],
        "labels": ["open_question", "Ring meg"],
        "node": "n2",
        "end": "caller left, ring 98765432",
        "comment": "fri tekst",
        "turn": 3,
        "must_do": {"reflection": True},
        "counts": {"reflection": "mange"},
    }
    clean = safe_result("answered", hostile)
    assert clean == {
        "success": True,
        "score": {"raw": 1.0, "max": 1.0},
        "node": "n2",
        "turn": 3,
        "must_do": {"reflection": True},
    }
    assert safe_result("answered", {"response": ["a", "c"]}) == {"response": ["a", "c"]}
    assert safe_result("answered", {"response": "fri tekst"}) == {}
    assert safe_result("shared", {"response": "Kari ringte"}) == {"response": "[navn] ringte"}
    assert safe_result("shared", {"response": "tekst"}, shared_text=False) == {}


def test_flat_row_types_match_the_columns() -> None:
    e = Event(
        "ABCD-EFGH",
        "completed",
        "samtalen/scenario/x",
        "scenario",
        {
            "turns": 7,
            "reflection_to_question": 1,
            "open_question_share": None,
            "end": None,
            "counts": {"reflection": 2},
        },
        {"org": "o"},
    )
    row = flat_row(e, "L-1")
    assert row["turns"] == 7 and row["reflection_to_question"] == 1.0 and row["open_question_share"] is None
    assert json.loads(row["counts"]) == {"reflection": 2} and set(row) == set(COLUMNS)


def test_cli_export(filled: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from widgets.cli import main

    out = tmp_path / "ut.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--db-url", filled.url, "--k", "5"]) == 0
    err = capsys.readouterr().err
    assert "Eksporterte 24 hendelser fra 6 deltakere" in err
    assert "Utelot 8 hendelser fra 1 organisasjon med færre enn 5 deltakere" in err
    assert "Eksporterer" not in err  # no progress bar unless asked for (stderr is not a terminal here)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 25
    assert main(["export", "--format", "xapi", "--db-url", filled.url, "--progress"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["version"] == "1.0.3" and "Eksporterer" in captured.err
    assert main(["export", "--format", "parquet", "--db-url", filled.url]) == 2
    assert "oppgi en fil med --out" in capsys.readouterr().err


# -- the documented schema is what the widgets emit -------------------------------------------------------------------


def _emits() -> list[tuple[str, str, str, set[str]]]:
    """(file, verb, object type, result keys) for every ``emit(`` call in widgets/*.py with literal arguments."""
    found = []
    for path in sorted((REPO_ROOT / "widgets").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                keys = {
                    k.value
                    for ret in ast.walk(node)
                    if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Dict)
                    for k in ret.value.keys
                    if isinstance(k, ast.Constant)
                }
                helpers[node.name] = keys
        named: dict[str, set[str]] = {}  # `result = {...}` and `result["x"] = ...` before an emit(…, result)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and isinstance(node.value, ast.Dict):
                        named.setdefault(target.id, set()).update(
                            k.value for k in node.value.keys if isinstance(k, ast.Constant)
                        )
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and isinstance(target.slice, ast.Constant)
                    ):
                        named.setdefault(target.value.id, set()).add(target.slice.value)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "emit"
            ):
                continue
            if len(node.args) < 3 or not all(
                isinstance(a, ast.Constant) for a in (node.args[0], node.args[2])
            ):
                continue
            keys: set[str] = set()
            result = node.args[3] if len(node.args) > 3 else None
            parts = [result] if isinstance(result, ast.Call) else []
            if isinstance(result, ast.Name):
                keys |= named.get(result.id, set())
            if isinstance(result, ast.Dict):  # top-level keys, and those of a `**helper(...)` inside
                keys |= {k.value for k in result.keys if isinstance(k, ast.Constant)}
                parts += [v for k, v in zip(result.keys, result.values, strict=True) if k is None]
            for part in parts:
                if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute):
                    keys |= helpers.get(part.func.attr, set())
            found.append((path.name, node.args[0].value, node.args[2].value, keys))
    return found


def test_every_emitted_verb_type_and_result_field_is_documented() -> None:
    emits = _emits()
    assert len(emits) >= 15, "the scan should find the widgets' emit calls"
    types = {t for _, t, _ in ev.OBJECTS}
    for name, verb, object_type, keys in emits:
        assert verb in ev.VERBS, (name, verb)
        assert object_type in types, (name, object_type)
        assert keys <= set(ev.RESULT_FIELDS), (name, verb, keys - set(ev.RESULT_FIELDS))
        for pattern, kind, verbs in ev.OBJECTS:
            if kind == object_type:
                assert verb in verbs, f"{name}: {verb} on a {kind} is not in events.OBJECTS"


def test_docs_events_md_names_every_verb_object_and_field() -> None:
    text = (REPO_ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    for verb, iri in ev.VERB_IRIS.items():
        assert f"| `{verb}` |" in text and iri in text, verb
    assert set(ev.VERB_IRIS) == set(ev.VERBS)
    for pattern, kind, _verbs in ev.OBJECTS:
        assert f"| `{pattern}` | `{kind}` |" in text, pattern
    for field in ev.RESULT_FIELDS:
        assert f"| `{field}` |" in text, field
    for field in ev.CONTEXT_FIELDS:
        assert f"| `{field}` |" in text, field


def test_only_the_shared_verb_carries_free_text_from_the_widgets(course_copy: Path) -> None:
    """Drive the widgets that take text with a unique marker; only the opted-in share may carry it."""
    from widgets import session as session_mod
    from widgets.chat import ChatSimulation
    from widgets.content import load_course
    from widgets.reflection import Reflection

    course = load_course()
    theme = next(t for t in course.themes if t.ready and t.scenarios and t.tasks)
    store = Store(f"sqlite:///{course_copy / 'fri.sqlite'}")
    session = session_mod.Session(store, retry_seconds=None)
    session_mod.reset(session)
    try:
        session.set_learner("ABCD-EFGH")
        chat = ChatSimulation(theme.id, next(iter(theme.scenarios.values())))
        for _ in range(4):
            chat._dispatch(chat, {"type": "send", "text": "Zebrafink hva tenker du om det?"}, [])
        reflection = Reflection(theme.id, theme.tasks)
        task = theme.tasks[0]["id"]
        reflection._dispatch(reflection, {"type": "save", "task": task, "text": "Zebrafink privat"}, [])
        reflection._dispatch(
            reflection, {"type": "save", "task": task, "text": "Zebrafink delt", "share": True}, []
        )
        carriers = [r for r in store.events() if "Zebrafink" in json.dumps(r["result"], ensure_ascii=False)]
        assert [(r["verb"], r["result"]["response"]) for r in carriers] == [("shared", "Zebrafink delt")]
        assert len(store.events(verb="responded")) >= 1
    finally:
        session_mod.reset(None)
        store.dispose()
