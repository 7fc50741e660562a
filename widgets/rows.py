"""What one stored event row holds, and where the results database is: plain Python, no SQLAlchemy.

Both stores write events through :func:`event_row`: the full SQLAlchemy store (:mod:`widgets.store`, used by the
server, the CLI and the analysts) and the learner kernel's light SQLite store (:mod:`widgets.store_sqlite`), so a row
is the same whichever process wrote it. Kept apart from :mod:`widgets.store` so a learner's kernel can use it
without importing SQLAlchemy.
"""

from __future__ import annotations

import math
import os
from typing import Any

from .events import Event

#: The typed copies of result fields (migration 0003), in table order; see :func:`result_columns`.
RESULT_COLUMNS = [
    "success",
    "first_attempt",
    "response",
    "phase",
    "score",
    "reflection_to_question",
    "open_question_share",
    "suicide_questions",
]


def _org(context: dict[str, Any]) -> str | None:
    org = context.get("org")
    return str(org)[:64] if org is not None else None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _letters(value: Any) -> str | None:
    """A quiz answer's option letters as ``a,c``; anything else (free text above all) gives ``None``."""
    if not isinstance(value, list):
        return None
    if not all(isinstance(x, str) and len(x) == 1 and "a" <= x <= "z" for x in value):
        return None
    return ",".join(value)


def result_columns(verb: str, object_type: str, result: dict[str, Any]) -> dict[str, Any]:
    """The typed result columns of one event (see ``RESULT_COLUMNS``): ``None`` where the field does not apply or
    does not have the documented type (docs/events.md).

    Only a quiz answer's letters are ever copied into ``response``; a shared reflection's text never is.
    """
    out: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS)
    if not isinstance(result, dict):
        return out
    score = result.get("score")
    raw = _number(score.get("raw")) if isinstance(score, dict) else None
    if verb == "answered":
        out.update(
            success=_boolean(result.get("success")),
            first_attempt=_boolean(result.get("first_attempt")),
            response=_letters(result.get("response")),
            score=raw,
        )
    elif verb == "rated":
        phase = result.get("phase")
        out.update(phase=phase if phase in ("before", "after") else None, score=raw)
    elif verb == "completed" and object_type == "scenario":
        counts = result.get("counts")
        suicide = counts.get("suicide_question") if isinstance(counts, dict) else None
        out.update(
            success=_boolean(result.get("success")),
            reflection_to_question=_number(result.get("reflection_to_question")),
            open_question_share=_number(result.get("open_question_share")),
            suicide_questions=int(suicide) if _number(suicide) is not None else None,
        )
    elif verb == "completed" and object_type == "quiz":
        out["score"] = raw
    return out


def default_db_url() -> str:
    """``TRYGGE_DB_URL`` if set, else a SQLite file ``results.sqlite`` in the course directory's ``var/`` folder."""
    url = os.environ.get("TRYGGE_DB_URL")
    if url:
        return url
    from .content import course_dir

    var = course_dir() / "var"
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'results.sqlite'}"


def normalise_url(url: str) -> str:
    """``url`` with the PostgreSQL driver this package installs (psycopg 3) when none is named.

    ``postgres://`` (as some hosts write it) and ``postgresql://`` become ``postgresql+psycopg://`` unless psycopg2 is
    installed (then SQLAlchemy's default driver is used). Other URLs are returned unchanged.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        import importlib.util

        if importlib.util.find_spec("psycopg2") is None and importlib.util.find_spec("psycopg") is not None:
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def event_row(e: Event) -> dict[str, Any]:
    """The row of the ``events`` table for one event (without ``seq``, which the database gives)."""
    return {
        "event_id": e.id,
        "actor": e.actor,
        "verb": e.verb,
        "object_id": e.object_id,
        "object_type": e.object_type,
        "theme": e.theme,
        "result": e.result,
        "context": e.context,
        "timestamp": e.timestamp,
        "org": _org(e.context),
        **result_columns(e.verb, e.object_type, e.result),
    }
