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
