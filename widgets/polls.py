"""Live anonymous polls for group sessions («i plenum»).

The facilitator opens a poll session and gets a short code (four characters, e.g. ``K7QM``). Participants open the
poll page (``notebooks/avstemning.ipynb``) on their own phone or laptop, type the code (no name, no login) and answer
the question the facilitator has put to the room: one of several options, a rating, or a few words. The
facilitator's screen shows the answers added up as a bar chart (or, for words, as a list), never who answered what.

Every Voilà page is its own kernel, so the kernels share the poll through the results store (:mod:`widgets.store`),
using only its public API:

- the session's state is kept as learner-state keys under a poll-session pseudonym ``PLENUM-<code>``:
  ``poll/meta`` (open or closed, theme), ``poll/current`` (the question now asked), ``poll/question/<id>`` (every
  question asked) and ``poll/answer/<question id>/<participant>`` (each participant's latest answer; the participant
  is a random token made by their page, so changing one's mind replaces the answer instead of adding one);
- each answer is also kept as an event under the same pseudonym (``plenum/poll/<code>/<question id>``: ``answered``
  with the option letters, ``rated`` with the score, ``shared`` with the scrubbed words), with the usual context.

The browsers ask their kernels to look again every second or so (a ``tick`` message), so no kernel runs a thread.
Free text is scrubbed (:func:`widgets.scrub.scrub`) before it is stored and is only ever drawn as text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import secrets
import urllib.parse
from collections import Counter
from typing import Any

import traitlets as t

from ._base import TryggeWidget
from .events import Event

log = logging.getLogger("trygge")

__all__ = [
    "CODE_LENGTH",
    "JOIN_PAGE",
    "KINDS",
    "PollError",
    "PollHost",
    "PollParticipant",
    "PollRoom",
    "Question",
    "normalise_poll_code",
]

#: Letters and digits that cannot be mistaken for each other (Crockford base32 without I, L, O, U).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 4
ACTOR_PREFIX = "PLENUM-"
#: The page participants open, relative to the course directory.
JOIN_PAGE = "notebooks/avstemning.ipynb"
KINDS = ("choice", "rating", "text")
KIND_NAMES = {"choice": "flervalg", "rating": "skala", "text": "fritekst"}
MAX_TEXT = 200
MAX_OPTIONS = 8
LETTERS = "abcdefgh"


class PollError(ValueError):
    """A poll action that cannot be done; the message is Norwegian and can be shown as it is."""


def normalise_poll_code(raw: Any) -> str | None:
    """A typed code in canonical form (``K7QM``), or ``None``. Accepts lower case, spaces and O/I/L look-alikes."""
    if not isinstance(raw, str):
        return None
    code = re.sub(r"[\s\-_.]", "", raw.upper()).translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return code if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code) else None


@dataclasses.dataclass
class Question:
    """One question put to the room.

    ``kind`` is ``choice`` (``options``, one answer each), ``rating`` (1 to ``scale``) or ``text`` (a few words).
    ``correct`` (option indices) and ``explanation`` are shown only when the facilitator reveals them.
    """

    kind: str
    text: str
    options: list[str] = dataclasses.field(default_factory=list)
    scale: int = 5
    id: str = ""
    source: str = ""
    correct: list[int] = dataclasses.field(default_factory=list)
    explanation: str = ""
    open: bool = True
    asked: str = ""

    def __post_init__(self) -> None:
        self.text = " ".join(str(self.text or "").split())
        if self.kind not in KINDS:
            raise PollError(f"Ukjent spørsmålstype «{self.kind}». Bruk flervalg, skala eller fritekst.")
        if not self.text:
            raise PollError("Skriv spørsmålet først.")
        if len(self.text) > 300:
            raise PollError("Spørsmålet er for langt (høyst 300 tegn).")
        if self.kind == "choice":
            self.options = [" ".join(str(o).split()) for o in self.options if str(o).strip()]
            if not 2 <= len(self.options) <= MAX_OPTIONS:
                raise PollError(f"Et flervalgsspørsmål trenger mellom 2 og {MAX_OPTIONS} svaralternativer.")
        else:
            self.options = []
        if self.kind == "rating" and not 2 <= int(self.scale) <= 10:
            raise PollError("Skalaen må gå fra 1 til et tall mellom 2 og 10.")
        self.scale = int(self.scale)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})

    def public(self) -> dict[str, Any]:
        """What a participant's page may know: no correct answer, no explanation."""
        return {"id": self.id, "kind": self.kind, "text": self.text, "options": list(self.options),
                "scale": self.scale, "open": self.open}


class PollRoom:
    """One poll session in the results store, shared by the facilitator's and the participants' kernels.

    Parameters
    ----------
    store:
        A :class:`widgets.store.Store` (or anything with its ``get_state``/``set_state``/``state_with_prefix``/
        ``add_events``).
    code:
        The session's code (``K7QM``).
    context:
        Added to every event (course, version, org, channel).
    """

    def __init__(self, store: Any, code: str, context: dict[str, Any] | None = None) -> None:
        self.store = store
        self.code = code
        self.context = dict(context or {})
        self._unsent: list[Event] = []

    @property
    def actor(self) -> str:
        """The poll session's pseudonym in the store: ``PLENUM-<code>`` (never a person)."""
        return f"{ACTOR_PREFIX}{self.code}"

    @property
    def object_id(self) -> str:
        return f"plenum/poll/{self.code.lower()}"

    # -- facilitator ----------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, store: Any, *, theme: str = "", context: dict[str, Any] | None = None) -> PollRoom:
        """Start a new session with a code no earlier session in this store has used."""
        for _ in range(50):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if store.get_state(f"{ACTOR_PREFIX}{code}", "poll/meta") is None:
                break
        else:  # pragma: no cover - a million codes, fifty tries
            raise PollError("Fant ingen ledig kode. Prøv igjen.")
        room = cls(store, code, context)
        store.set_state(room.actor, "poll/meta", {"code": code, "open": True, "theme": theme, "asked": 0,
                                                  "opened": _now()})
        room._record("launched", room.object_id, "poll", {})
        return room

    def meta(self) -> dict[str, Any]:
        return self.store.get_state(self.actor, "poll/meta", {}) or {}

    @property
    def is_open(self) -> bool:
        return bool(self.meta().get("open"))

    def ask(self, question: Question) -> Question:
        """Put ``question`` to the room (it becomes the current question; the one before is closed)."""
        meta = self.meta()
        if not meta.get("open"):
            raise PollError("Avstemningen er avsluttet. Start en ny.")
        number = int(meta.get("asked", 0)) + 1
        question.id, question.open, question.asked = f"q{number}", True, _now()
        self.stop()
        self.store.set_state(self.actor, f"poll/question/{question.id}", question.as_dict())
        self.store.set_state(self.actor, "poll/current", question.as_dict())
        self.store.set_state(self.actor, "poll/meta", {**meta, "asked": number})
        return question

    def stop(self) -> None:
        """Stop taking answers to the current question (it stays on the screens)."""
        current = self.store.get_state(self.actor, "poll/current")
        if current and current.get("open"):
            current["open"] = False
            self.store.set_state(self.actor, "poll/current", current)
            self.store.set_state(self.actor, f"poll/question/{current['id']}", current)

    def close(self) -> None:
        """End the session: no more questions or answers."""
        self.stop()
        self.store.set_state(self.actor, "poll/meta", {**self.meta(), "open": False, "closed": _now()})

    def question(self, question_id: str) -> Question | None:
        data = self.store.get_state(self.actor, f"poll/question/{question_id}")
        return Question.from_dict(data) if data else None

    def results(self, question_id: str) -> dict[str, Any]:
        """The answers to a question added up: how many answered, counts per option or rating, or the words."""
        question = self.question(question_id)
        if question is None:
            return {}
        answers = list(self.store.state_with_prefix(self.actor, f"poll/answer/{question_id}/").values())
        out: dict[str, Any] = {"question": question.as_dict(), "total": len(answers)}
        if question.kind == "choice":
            counts = Counter(a for a in answers if isinstance(a, int) and 0 <= a < len(question.options))
            out["bars"] = [{"label": o, "count": counts.get(i, 0)} for i, o in enumerate(question.options)]
        elif question.kind == "rating":
            counts = Counter(a for a in answers if isinstance(a, int) and 1 <= a <= question.scale)
            out["bars"] = [{"label": str(n), "count": counts.get(n, 0)} for n in range(1, question.scale + 1)]
            scores = [a for a in answers if isinstance(a, int) and 1 <= a <= question.scale]
            out["mean"] = round(sum(scores) / len(scores), 1) if scores else None
        else:
            # The same words in other capitals count as one answer, shown in the spelling most used (ties: the
            # first in sort order), most frequent first; the order never depends on who answered first.
            groups: dict[str, Counter[str]] = {}
            for a in answers:
                if isinstance(a, str) and a.strip():
                    text = " ".join(a.split())
                    groups.setdefault(text.lower(), Counter())[text] += 1
            shown = [(min(g, key=lambda t: (-g[t], t)), sum(g.values())) for g in groups.values()]
            out["texts"] = [{"text": t, "count": n} for t, n in sorted(shown, key=lambda x: (-x[1], x[0]))]
        return out

    # -- participants ---------------------------------------------------------------------------------------------
    @classmethod
    def find(cls, store: Any, raw_code: Any, context: dict[str, Any] | None = None) -> PollRoom:
        """The open session with the code a participant typed; :class:`PollError` (Norwegian) if there is none."""
        code = normalise_poll_code(raw_code)
        if code is None:
            raise PollError(f"En kode har {CODE_LENGTH} tegn, for eksempel K7QM. Sjekk koden på skjermen.")
        room = cls(store, code, context)
        meta = room.meta()
        if not meta:
            raise PollError(f"Fant ingen avstemning med koden {code}. Sjekk koden på skjermen.")
        if not meta.get("open"):
            raise PollError(f"Avstemningen {code} er avsluttet.")
        return room

    def current(self) -> Question | None:
        """The question now put to the room, or ``None``."""
        data = self.store.get_state(self.actor, "poll/current")
        return Question.from_dict(data) if data else None

    def answer(self, question_id: str, participant: str, value: Any) -> Any:
        """Store a participant's answer (replacing an earlier one) and record it as an event; returns what was stored.

        ``value``: an option index (choice), a number 1–scale (rating) or text (scrubbed, at most 200 characters).
        """
        if not self.is_open:
            raise PollError("Avstemningen er avsluttet.")
        current = self.current()
        if current is None or current.id != question_id or not current.open:
            raise PollError("Dette spørsmålet er lukket. Vent på neste spørsmål.")
        if not re.fullmatch(r"[a-z0-9]{8,32}", participant or ""):
            raise PollError("Siden mangler en intern kode. Last siden på nytt.")
        if current.kind == "choice":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(current.options):
                raise PollError("Velg ett av svarene.")
            stored: Any = value
            verb, result = "answered", {"response": [LETTERS[value]]}
        elif current.kind == "rating":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= current.scale:
                raise PollError(f"Velg et tall fra 1 til {current.scale}.")
            stored = value
            verb, result = "rated", {"score": {"raw": value, "min": 1, "max": current.scale}}
        else:
            from .scrub import scrub

            text = " ".join(str(value or "").split())
            if not text:
                raise PollError("Skriv et svar først.")
            if len(text) > MAX_TEXT:
                raise PollError(f"Svaret er for langt (høyst {MAX_TEXT} tegn).")
            stored = scrub(text)
            verb, result = "shared", {"response": stored}
        self.store.set_state(self.actor, f"poll/answer/{question_id}/{participant}", stored)
        self._record(verb, f"{self.object_id}/{question_id}", "poll-question", result)
        return stored

    def _record(self, verb: str, object_id: str, object_type: str, result: dict[str, Any]) -> None:
        """Keep an event under the session's pseudonym; if the store fails, keep it for the next try."""
        self._unsent.append(Event(self.actor, verb, object_id, object_type, result, dict(self.context)))
        try:
            self.store.add_events(self._unsent)
            self._unsent = []
        except Exception:
            log.exception("could not store %d poll events; they are kept for the next try", len(self._unsent))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def participant_token() -> str:
    """A random token for one participant's page (never shown, never linked to a person)."""
    return secrets.token_hex(8)


def code_from_query(query: str | None = None) -> str:
    """The ``kode`` in the page's address (``…/avstemning.ipynb?kode=K7QM``), which Voilà gives the kernel."""
    query = os.environ.get("QUERY_STRING", "") if query is None else query
    values = urllib.parse.parse_qs(query).get("kode", [])
    return normalise_poll_code(values[0]) or "" if values else ""


# -- widgets -----------------------------------------------------------------------------------------------------


def _store_and_context() -> tuple[Any, dict[str, Any]]:
    from . import session as session_mod

    session = session_mod.current()
    return session.store, dict(session.context)


class PollHost(TryggeWidget):
    """The facilitator's poll panel: start a session, put questions to the room, see the answers live.

    Parameters
    ----------
    theme:
        The theme the session belongs to (kept in the session's meta).
    suggestions:
        Ready-made questions (:class:`Question`) for this part of the course, e.g. a quiz item or a confidence
        statement; :meth:`suggest` replaces them when the facilitator moves on.
    store:
        The results store (default: the kernel's session's).
    """

    _front_end = "pollhost"

    code = t.Unicode("", help="The session's code, once started.").tag(sync=True)
    join_path = t.Unicode(JOIN_PAGE, help="The participants' page, relative to the course directory.").tag(sync=True)
    suggestions = t.List(t.Dict(), help="[{key, label, kind, text, options, scale}] ready-made questions.").tag(sync=True)
    question = t.Dict(help="The question now on the screen (with the correct answer once revealed).").tag(sync=True)
    results = t.Dict(help="{total, bars: [{label, count}], mean?, texts?: [{text, count}]} for the question.").tag(sync=True)
    revealed = t.Bool(False, help="The correct answer and explanation are shown.").tag(sync=True)
    closed = t.Bool(False, help="The session has ended.").tag(sync=True)

    def __init__(self, theme: str = "", suggestions: list[Question] = (), *, store: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.theme = theme
        self._store = store
        self._context: dict[str, Any] = {}
        self.room: PollRoom | None = None
        self._suggested: dict[str, Question] = {}
        self.suggest(suggestions)

    def _resources(self) -> tuple[Any, dict[str, Any]]:
        if self._store is None:
            self._store, self._context = _store_and_context()
        return self._store, self._context

    def suggest(self, questions: list[Question]) -> None:
        """Offer these ready-made questions (the current step's)."""
        self._suggested = {f"s{i}": q for i, q in enumerate(questions)}
        self.suggestions = [{"key": k, "label": q.text, "kind": q.kind, "kind_name": KIND_NAMES[q.kind],
                             "options": q.options, "scale": q.scale} for k, q in self._suggested.items()]

    def start(self) -> PollRoom:
        store, context = self._resources()
        self.room = PollRoom.open(store, theme=self.theme, context=context)
        self.code, self.closed, self.question, self.results = self.room.code, False, {}, {}
        return self.room

    def ask(self, question: Question) -> None:
        if self.room is None:
            self.start()
        assert self.room is not None
        asked = self.room.ask(question)
        self.revealed = False
        self.question = self._shown(asked)
        self.refresh()

    def _shown(self, question: Question) -> dict[str, Any]:
        data = question.public()
        if self.revealed:
            from ._markdown import to_html

            data.update(correct=list(question.correct), explanation_html=to_html(question.explanation))
        data["can_reveal"] = bool(question.correct or question.explanation)
        return data

    def refresh(self) -> None:
        if self.room is not None and self.question.get("id"):
            results = self.room.results(self.question["id"])
            results.pop("question", None)
            if results != self.results:
                self.results = results

    # -- messages from the browser ----------------------------------------------------------------------------------
    def on_start(self, _content: dict[str, Any]) -> None:
        self.start()

    def on_ask(self, content: dict[str, Any]) -> None:
        key = content.get("key")
        if isinstance(key, str) and key in self._suggested:
            q = self._suggested[key]
            question = Question(q.kind, q.text, list(q.options), q.scale, source=q.source, correct=list(q.correct),
                                explanation=q.explanation)
        else:
            custom = content.get("custom") or {}
            try:
                question = Question(str(custom.get("kind", "")), str(custom.get("text", "")),
                                    [str(o) for o in custom.get("options", []) if isinstance(o, str)],
                                    int(custom.get("scale", 5)) if str(custom.get("scale", 5)).isdigit() else 5)
            except PollError as exc:
                self.error = str(exc)
                return
        try:
            self.ask(question)
        except PollError as exc:
            self.error = str(exc)

    def on_stop(self, _content: dict[str, Any]) -> None:
        if self.room is not None:
            self.room.stop()
            self.question = {**self.question, "open": False}

    def on_reveal(self, _content: dict[str, Any]) -> None:
        if self.room is not None and self.question.get("id"):
            asked = self.room.question(self.question["id"])
            if asked is not None:
                self.revealed = True
                self.question = {**self._shown(asked), "open": self.question.get("open", False)}

    def on_tick(self, _content: dict[str, Any]) -> None:
        self.refresh()

    def on_close(self, _content: dict[str, Any]) -> None:
        if self.room is not None:
            self.room.close()
            self.closed = True
            self.question = {**self.question, "open": False} if self.question else {}


class PollParticipant(TryggeWidget):
    """A participant's poll page: type the code, answer the question on the screen. No name is asked for.

    Parameters
    ----------
    code:
        A code to fill in (from the page address, ``?kode=K7QM``); joined at once if a session has it.
    store:
        The results store (default: the kernel's session's).
    """

    _front_end = "pollvote"

    code = t.Unicode("", help="The session code the participant joined.").tag(sync=True)
    joined = t.Bool(False, help="The participant has joined a session.").tag(sync=True)
    question = t.Dict(help="The question now asked: {id, kind, text, options, scale, open} (no answer).").tag(sync=True)
    my_answer = t.Dict(help="{question, value} this page's latest stored answer, so the page can show it.").tag(sync=True)
    closed = t.Bool(False, help="The facilitator has ended the session.").tag(sync=True)

    def __init__(self, code: str = "", *, store: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._store = store
        self._context: dict[str, Any] = {}
        self.room: PollRoom | None = None
        self.participant = participant_token()
        if code:
            self.code = code
            try:
                self.join(code)
            except PollError as exc:
                self.error = str(exc)

    def _resources(self) -> tuple[Any, dict[str, Any]]:
        if self._store is None:
            self._store, self._context = _store_and_context()
        return self._store, self._context

    def join(self, raw_code: str) -> None:
        store, context = self._resources()
        self.room = PollRoom.find(store, raw_code, context)
        self.code, self.joined, self.closed = self.room.code, True, False
        self.refresh()

    def refresh(self) -> None:
        if self.room is None:
            return
        if not self.room.is_open:
            self.closed = True
            self.question = {}
            return
        current = self.room.current()
        shown = current.public() if current else {}
        if shown != self.question:
            self.question = shown

    def on_join(self, content: dict[str, Any]) -> None:
        try:
            self.join(str(content.get("code", "")))
        except PollError as exc:
            self.error = str(exc)

    def on_tick(self, _content: dict[str, Any]) -> None:
        self.refresh()

    def on_answer(self, content: dict[str, Any]) -> None:
        if self.room is None:
            self.error = "Skriv inn koden først."
            return
        try:
            stored = self.room.answer(str(content.get("question", "")), self.participant, content.get("value"))
        except PollError as exc:
            self.error = str(exc)
            self.refresh()
            return
        self.my_answer = {"question": str(content.get("question", "")), "value": stored}
