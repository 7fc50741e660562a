"""xAPI-shaped event records: who (a pseudonym) did what to which part of the course, with what result.

The verb list is fixed so that analysts can rely on it; it follows the xAPI/cmi5 vocabulary and the xAPI video
profile. An event carries no name, no e-mail and no free text that has not been scrubbed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from typing import Any

#: The verbs an event may use, with what each means here.
VERBS: dict[str, str] = {
    "launched": "a page or theme was opened",
    "played": "a film started or resumed playing",
    "paused": "a film was paused",
    "seeked": "the learner jumped in a film",
    "completed": "a film, quiz, section, simulation or theme was finished",
    "answered": "a quiz item was answered",
    "responded": "the learner wrote or chose a reply in the conversation simulator",
    "rated": "a confidence (trygghet) statement was rated",
    "progressed": "a section of a theme was marked as done",
    "shared": "the learner chose to share a (scrubbed) reflection",
    "experienced": "the learner opened a resource (Lær mer, worksheet)",
    "terminated": "the learner left a simulation before its end",
}

#: An object id is a slash-separated path of lower-case ids, e.g. ``samtalen/quiz/q3``.
OBJECT_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-]*)*$")


class EventError(ValueError):
    """An event was built with a verb or object id outside the fixed vocabulary."""


@dataclasses.dataclass(frozen=True)
class Event:
    """One learner action, shaped like an xAPI statement.

    Parameters
    ----------
    actor:
        The learner's pseudonym (``XXXX-XXXX``), never a name.
    verb:
        One of :data:`VERBS`.
    object_id:
        Which part of the course, e.g. ``samtalen/film/fagfilm``.
    object_type:
        What kind of thing the object is (``film``, ``quiz-item``, ``scenario``, ``section``, ``theme`` …).
    result:
        Score, success, response, duration … (JSON-serialisable).
    context:
        Course id and version, organisation, channel (JSON-serialisable).
    """

    actor: str
    verb: str
    object_id: str
    object_type: str
    result: dict[str, Any] = dataclasses.field(default_factory=dict)
    context: dict[str, Any] = dataclasses.field(default_factory=dict)
    timestamp: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now(dt.UTC))
    id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        if self.verb not in VERBS:
            raise EventError(f"Unknown verb {self.verb!r}; use one of: {', '.join(VERBS)}")
        if not OBJECT_ID.match(self.object_id):
            raise EventError(f"Object id {self.object_id!r} must look like 'theme/kind/id' (lower case)")

    @property
    def theme(self) -> str:
        """The theme id, the first part of the object id."""
        return self.object_id.split("/", 1)[0]

    def as_xapi(self) -> dict[str, Any]:
        """The event as an xAPI statement (JSON-ready)."""
        return {
            "id": self.id,
            "actor": {"objectType": "Agent", "account": {"homePage": "urn:trygge", "name": self.actor}},
            "verb": {"id": f"urn:trygge:verb:{self.verb}", "display": {"en": self.verb}},
            "object": {
                "objectType": "Activity",
                "id": f"urn:trygge:{self.object_id}",
                "definition": {"type": f"urn:trygge:type:{self.object_type}"},
            },
            "result": self.result,
            "context": self.context,
            "timestamp": self.timestamp.isoformat(),
        }


# -- the documented schema (docs/events.md; tests keep the two in step) ------------------------------------------------

#: Each verb as an xAPI IRI: ADL's vocabulary (cmi5 for launched/terminated), the xAPI video profile for what is
#: done to a film, and the TinCan registry for «rated», which ADL does not define.
VERB_IRIS: dict[str, str] = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "played": "https://w3id.org/xapi/video/verbs/played",
    "paused": "https://w3id.org/xapi/video/verbs/paused",
    "seeked": "https://w3id.org/xapi/video/verbs/seeked",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "responded": "http://adlnet.gov/expapi/verbs/responded",
    "rated": "http://id.tincanapi.com/verb/rated",
    "progressed": "http://adlnet.gov/expapi/verbs/progressed",
    "shared": "http://adlnet.gov/expapi/verbs/shared",
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
}

#: The objects events are about: (id pattern, object type, the verbs used with it).
OBJECTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("course", "course", ("launched",)),
    ("<theme>", "theme", ("launched",)),
    ("<theme>/section/<section>", "section", ("progressed",)),
    ("<theme>/film/<film>", "film", ("played", "paused", "seeked", "completed")),
    ("<theme>/quiz", "quiz", ("completed",)),
    ("<theme>/quiz/<item>", "quiz-item", ("answered",)),
    ("<theme>/confidence/<statement>", "confidence-statement", ("rated",)),
    ("<theme>/scenario/<scenario>", "scenario", ("launched", "responded", "completed", "terminated")),
    ("<theme>/reflection/<task>", "reflection", ("shared",)),
    ("<theme>/learn-more/source-<n>", "resource", ("experienced",)),
    ("<theme>/printable/worksheet", "printable", ("experienced",)),
)

#: Every field an event's ``result`` may hold: name -> (JSON type, meaning). Exports keep only these.
RESULT_FIELDS: dict[str, tuple[str, str]] = {
    "success": ("boolean", "answered: the answer was right; completed scenario: the caller did not leave"),
    "score": ("object {raw, min?, max}", "answered: 0/1; completed quiz: right answers; rated: the rating 1–scale"),
    "response": ("list of letters | text",
                 "answered: the chosen options (a, b, …); shared: the learner's scrubbed text, sent only on request"),
    "first_attempt": ("boolean", "answered: the learner's first answer to this item on this page"),
    "completion": ("boolean", "progressed, completed film: the section or film is done"),
    "phase": ("'before' | 'after'", "rated: before or after the theme"),
    "position": ("number (s)", "film: where in the film"),
    "from": ("number (s)", "seeked: where the learner jumped from"),
    "duration": ("number (s)", "completed film: the film's length"),
    "described": ("boolean", "film: the audio-described version is on"),
    "captions": ("boolean", "film: captions are on"),
    "mode": ("'scripted' | 'llm'", "launched/responded scenario: which persona engine answered"),
    "reply_source": ("'script' | 'llm'", "responded: who wrote the caller's reply this turn"),
    "fallback": ("reason id", "responded: why the script answered instead of the language model (timeout, check:…)"),
    "state": ("object name -> integer", "responded: the caller's state after the turn (trust, distress …)"),
    "labels": ("list of coach labels", "responded: what the coach heard in the reply (never the words)"),
    "intents": ("list of intent ids", "responded: scenario intents recognised in the reply"),
    "node": ("node id", "responded: where the conversation went"),
    "chosen": ("boolean", "responded: a suggested reply was chosen (not typed)"),
    "turn": ("integer", "responded: the turn number"),
    "turns": ("integer", "completed/terminated scenario: how many turns the conversation had"),
    "end": ("end id | null", "completed scenario: safety_plan, referred, good_close or caller_left"),
    "counts": ("object label -> integer", "completed scenario: how many replies had each coach label"),
    "reflection_to_question": ("number | null", "completed scenario: reflections per question (MITI 4.2)"),
    "open_question_share": ("number | null", "completed scenario: open questions / all questions (MITI 3.1.1)"),
    "must_do": ("object label -> boolean", "completed scenario: which of the scenario's must-dos were done"),
    "asked_about_suicide": ("boolean | null",
                            "completed scenario: asked directly about suicide (null when the caller showed no signs)"),
    "explored_safety": ("boolean", "completed scenario: safety was explored (or a safety plan made)"),
    "referral_ok": ("list of booleans", "completed scenario: whether each referral fitted the caller's need, age and hour"),
}

#: The only result field that may hold free text, and the only verb it may hold it for. Nothing else a learner writes
#: is ever put in an event.
FREE_TEXT: tuple[str, str] = ("shared", "response")

#: Every field an event's ``context`` may hold: name -> meaning.
CONTEXT_FIELDS: dict[str, str] = {
    "course": "course id (course.yaml)",
    "version": "course version (course.yaml)",
    "org": "organisation (TRYGGE_ORG; demo data: demo-org-N)",
    "channel": "how the course was taken: web (Voilà, TRYGGE_CHANNEL) or another label the organisation sets",
    "synthetic": "true on generated demo data (trygge demo-data); absent on real events",
}


def event_to_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready dict that :func:`event_from_dict` turns back into the same event (the local queue uses it)."""
    return {"id": event.id, "actor": event.actor, "verb": event.verb, "object_id": event.object_id,
            "object_type": event.object_type, "result": event.result, "context": event.context,
            "timestamp": event.timestamp.isoformat()}


def event_from_dict(data: dict[str, Any]) -> Event:
    """The event :func:`event_to_dict` (or a stored row with the same keys, ``event_id`` for ``id``) describes."""
    stamp = data["timestamp"]
    if isinstance(stamp, str):
        stamp = dt.datetime.fromisoformat(stamp)
    if stamp.tzinfo is None:  # SQLite hands back naive datetimes; the store writes UTC
        stamp = stamp.replace(tzinfo=dt.UTC)
    return Event(data["actor"], data["verb"], data["object_id"], data["object_type"], dict(data.get("result") or {}),
                 dict(data.get("context") or {}), stamp, data.get("id") or data["event_id"])


def _iso_duration(seconds: float) -> str:
    return f"PT{round(float(seconds), 2):g}S"


#: Where activity, extension and account IRIs are rooted; an organisation sending exports to a strict LRS sets
#: ``TRYGGE_XAPI_BASE`` to an address of its own (``https://…``).
DEFAULT_XAPI_BASE = "urn:trygge-samtaler"


def xapi_statement(event: Event, actor_name: str | None = None, base: str | None = None) -> dict[str, Any]:
    """The event as an xAPI 1.0.3 statement, with the standard verb IRIs (:data:`VERB_IRIS`).

    ``result`` fields xAPI defines (success, completion, score, response, duration) go where xAPI puts them; the others
    become result extensions. ``actor_name`` replaces the pseudonym (exports give each learner an export-only id);
    ``base`` roots the IRIs (default ``TRYGGE_XAPI_BASE`` or :data:`DEFAULT_XAPI_BASE`).
    """
    import os

    base = (base or os.environ.get("TRYGGE_XAPI_BASE") or DEFAULT_XAPI_BASE).rstrip("/:")
    sep = ":" if base.startswith("urn:") else "/"
    result: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    for key, value in event.result.items():
        if key in ("success", "completion") and isinstance(value, bool):
            result[key] = value
        elif key == "score" and isinstance(value, dict):
            score = {k: value[k] for k in ("raw", "min", "max") if isinstance(value.get(k), (int, float))}
            if "raw" in score and score.get("max"):
                low = score.get("min", 0)
                score["scaled"] = round((score["raw"] - low) / (score["max"] - low), 4) if score["max"] != low else 0
            result["score"] = score
        elif key == "response":
            result["response"] = "[,]".join(value) if isinstance(value, list) else str(value)
        elif key == "duration" and isinstance(value, (int, float)):
            result["duration"] = _iso_duration(value)
            extensions[f"{base}{sep}result{sep}duration-seconds"] = value
        else:
            extensions[f"{base}{sep}result{sep}{key}"] = value
    if extensions:
        result["extensions"] = extensions
    context: dict[str, Any] = {
        "platform": "Trygge samtaler",
        "language": "nb-NO",
        "extensions": {f"{base}{sep}context{sep}{k}": v for k, v in event.context.items()},
    }
    course = event.context.get("course", "course")
    context["contextActivities"] = {"grouping": [{"objectType": "Activity", "id": f"{base}{sep}courses{sep}{course}"}]}
    if event.object_id not in (event.theme, "course"):
        context["contextActivities"]["parent"] = [
            {"objectType": "Activity", "id": f"{base}{sep}activities{sep}{event.theme}"}
        ]
    return {
        "id": event.id,
        "actor": {"objectType": "Agent", "account": {"homePage": base, "name": actor_name or event.actor}},
        "verb": {"id": VERB_IRIS[event.verb], "display": {"en-US": event.verb}},
        "object": {"objectType": "Activity", "id": f"{base}{sep}activities{sep}{event.object_id}",
                   "definition": {"type": f"{base}{sep}activity-types{sep}{event.object_type}"}},
        **({"result": result} if result else {}),
        "context": context,
        "timestamp": event.timestamp.isoformat(),
        "version": "1.0.3",
    }
