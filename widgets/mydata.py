"""MyData («Mine data»): a learner sees, downloads and deletes everything stored under their code.

Shown on the start page under «Personvern» (``start.my_data()``). It lists the learner's events as readable Norwegian
sentences with counts per kind, and their private state (progress, reflections, trygghet ratings, film positions,
preferences); «Last ned mine data (JSON)» hands them all of it as a file; «Slett alt om meg» (after a confirmation
in the page) deletes the events, the state and any events still waiting in the local queue.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import traitlets as t

from ._base import TryggeWidget

#: How many events the list shows (newest first); the download always has all of them.
SHOWN_EVENTS = 200

#: Per verb: what the summary calls that kind of event.
VERB_SUMMARY: dict[str, str] = {
    "launched": "Sider og øvelser du har åpnet",
    "played": "Ganger du har spilt av en film",
    "paused": "Ganger du har satt en film på pause",
    "seeked": "Ganger du har hoppet i en film",
    "completed": "Filmer, quizer og samtaleøvelser du har fullført",
    "answered": "Svar i quizer",
    "responded": "Svar i samtaleøvelser",
    "rated": "Vurderinger av hvor trygg du er",
    "progressed": "Deler av temaer du har fullført",
    "shared": "Refleksjoner du har delt anonymt",
    "experienced": "Kilder og arbeidsark du har åpnet",
    "terminated": "Samtaleøvelser du avbrøt",
}
UNAVAILABLE = "Vi får ikke kontakt med databasen akkurat nå, så vi kan ikke vise eller slette dataene dine. Prøv igjen om litt."


def _course() -> Any:
    from .content import ContentError, load_course

    try:
        return load_course()
    except (ContentError, OSError):
        return None


class _Names:
    """Titles for ids (themes, films, scenarios, sections, tasks), falling back to the id."""

    def __init__(self, course: Any) -> None:
        from .content import SECTION_TITLES

        self.sections = SECTION_TITLES
        self.themes: dict[str, str] = {}
        self.things: dict[tuple[str, str, str], str] = {}
        self.scales: dict[str, int] = {}
        for theme in getattr(course, "themes", []):
            self.themes[theme.id] = theme.title
            self.scales[theme.id] = int((theme.confidence or {}).get("scale", 7))
            for film in theme.films:
                self.things[(theme.id, "film", film["id"])] = film.get("title", film["id"])
            for sid, scenario in theme.scenarios.items():
                self.things[(theme.id, "scenario", sid)] = scenario.get("title", sid)
            for task in theme.tasks:
                self.things[(theme.id, "reflection", task["id"])] = task.get("title", task["id"])

    def theme(self, theme_id: str) -> str:
        return f"«{self.themes.get(theme_id, theme_id)}»"

    def thing(self, theme_id: str, kind: str, thing_id: str) -> str:
        return f"«{self.things.get((theme_id, kind, thing_id), thing_id)}»"


def _clock(seconds: Any) -> str:
    s = int(seconds) if isinstance(seconds, (int, float)) else 0
    return f"{s // 60}:{s % 60:02d}"


def describe_event(event: dict[str, Any], names: _Names) -> str:
    """One event as a Norwegian sentence a learner understands."""
    verb, result = event["verb"], event.get("result") or {}
    parts = event["object_id"].split("/")
    theme = parts[0]
    kind = parts[1] if len(parts) > 1 else ""
    thing = parts[2] if len(parts) > 2 else ""
    if event["object_id"] == "course":
        return "Åpnet startsiden"
    if verb == "launched" and len(parts) == 1:
        return f"Åpnet temaet {names.theme(theme)}"
    if kind == "film":
        film = names.thing(theme, "film", thing)
        return {
            "played": f"Spilte av filmen {film} (fra {_clock(result.get('position'))})",
            "paused": f"Satte filmen {film} på pause (ved {_clock(result.get('position'))})",
            "seeked": f"Hoppet i filmen {film} (til {_clock(result.get('position'))})",
            "completed": f"Så ferdig filmen {film}",
        }.get(verb, f"{verb}: filmen {film}")
    if kind == "quiz" and not thing:
        score = result.get("score") or {}
        return f"Fullførte quizen i {names.theme(theme)} ({score.get('raw', '?')} av {score.get('max', '?')} riktige)"
    if kind == "quiz":
        verdict = "riktig" if result.get("success") else "ikke riktig"
        return f"Svarte på quizspørsmål {thing} i {names.theme(theme)} – {verdict}"
    if kind == "scenario":
        scenario = names.thing(theme, "scenario", thing)
        return {
            "launched": f"Startet samtaleøvelsen {scenario}",
            "responded": f"Svarte i samtaleøvelsen {scenario} (tur {result.get('turn', '?')})",
            "completed": f"Fullførte samtaleøvelsen {scenario}",
            "terminated": f"Avbrøt samtaleøvelsen {scenario}",
        }.get(verb, f"{verb}: samtaleøvelsen {scenario}")
    if kind == "confidence":
        score = result.get("score") or {}
        phase = "før" if result.get("phase") == "before" else "etter"
        return (
            f"Vurderte hvor trygg du er ({phase} temaet {names.theme(theme)}): {score.get('raw', '?')} av "
            f"{score.get('max', '?')}"
        )
    if kind == "section":
        section = names.sections.get(thing.replace("-", "_"), thing)
        return f"Fullførte delen «{section}» i {names.theme(theme)}"
    if kind == "reflection":
        return f"Delte en refleksjon anonymt ({names.thing(theme, 'reflection', thing)}): «{result.get('response', '')}»"
    if kind == "learn-more":
        return f"Åpnet en kilde under «Lær mer» i {names.theme(theme)}"
    if kind == "printable":
        return f"Lastet ned arbeidsarket for {names.theme(theme)}"
    return f"{verb}: {event['object_id']}"


def describe_state(key: str, value: Any, names: _Names) -> str:
    """One private value as a Norwegian sentence."""
    parts = key.split("/")
    if parts[0] == "progress" and len(parts) == 2:
        done = len(value) if isinstance(value, list) else 0
        return f"Fremdrift i {names.theme(parts[1])}: {done} del{'er' if done != 1 else ''} fullført"
    if parts[0] == "video" and len(parts) == 4:
        version = " (synstolket)" if parts[3] == "described" else ""
        return f"Hvor du var i filmen {names.thing(parts[1], 'film', parts[2])}{version}: {_clock(value)}"
    if key == "pref/described":
        return f"Synstolkede filmer: {'på' if value else 'av'}"
    if key == "pref/captions":
        return f"Teksting: {'på' if value else 'av'}"
    if parts[0] == "reflection" and len(parts) == 3:
        return f"Det du skrev i {names.thing(parts[1], 'reflection', parts[2])} ({names.theme(parts[1])}): «{value}»"
    if parts[0] == "confidence" and len(parts) == 3:
        phase = "før" if parts[2] == "before" else "etter"
        ratings = ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else value
        return f"Hvor trygg du var {phase} temaet {names.theme(parts[1])}: {ratings}"
    return f"{key}: {json.dumps(value, ensure_ascii=False)}"


def _when(stamp: Any) -> str:
    if isinstance(stamp, str):
        stamp = dt.datetime.fromisoformat(stamp)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone().strftime("%d.%m.%Y %H:%M")


class MyData(TryggeWidget):
    """Everything stored under the learner's code: a summary, the events, the private state; download and delete.

    Parameters
    ----------
    course:
        The loaded course, for readable titles (loaded on demand if not given).
    """

    _front_end = "mydata"

    code = t.Unicode("", help="The learner's code (empty until the browser sends it).").tag(sync=True)
    summary = t.List(t.Dict(), help="[{label, count}] per kind of event.").tag(sync=True)
    events = t.List(t.Dict(), help="[{when, text}], newest first, at most SHOWN_EVENTS.").tag(sync=True)
    total = t.Int(0, help="How many events are stored (and waiting) under the code.").tag(sync=True)
    state = t.List(t.Dict(), help="[{key, text}] the learner's private values.").tag(sync=True)
    status = t.Unicode("", help="What just happened (loaded, downloaded, deleted).").tag(sync=True)

    def __init__(self, course: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._names = _Names(course if course is not None else _course())
        self.session.on_learner(lambda _code: self._refresh())

    # -- reading ---------------------------------------------------------------------------------------------------
    def _collect(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """(events oldest first, private state) for the current learner: stored, queued and not yet written."""
        from .events import event_to_dict

        code = self.session.learner
        stored = self.session.store.events(actor=code)
        events = [
            {
                "id": r["event_id"],
                "verb": r["verb"],
                "object_id": r["object_id"],
                "object_type": r["object_type"],
                "result": r["result"],
                "context": r["context"],
                "timestamp": _iso(r["timestamp"]),
            }
            for r in stored
        ]
        known = {e["id"] for e in events}
        waiting = []
        if self.session._queue is not None:
            waiting += self.session._queue.pending(code)
        waiting += [e for e in self.session._outbox if e.actor == code]
        for event in waiting:
            if event.id not in known:
                data = event_to_dict(event)
                data.pop("actor")
                events.append(data)
        return events, dict(self.session.store.all_state(code))

    def _refresh(self) -> None:
        if not self.session.learner:
            return
        self.code = self.session.learner
        try:
            events, state = self._collect()
        except Exception:
            self.status = UNAVAILABLE
            return
        counts: dict[str, int] = {}
        for event in events:
            counts[event["verb"]] = counts.get(event["verb"], 0) + 1
        self.summary = [{"label": VERB_SUMMARY[v], "count": counts[v]} for v in VERB_SUMMARY if counts.get(v)]
        self.total = len(events)
        self.events = [
            {"when": _when(e["timestamp"]), "text": describe_event(e, self._names)}
            for e in reversed(events[-SHOWN_EVENTS:])
        ]
        self.state = [{"key": k, "text": describe_state(k, v, self._names)} for k, v in sorted(state.items())]

    # -- messages from the browser ------------------------------------------------------------------------------------
    def on_refresh(self, _content: dict[str, Any]) -> None:
        self._refresh()
        if self.code and self.status != UNAVAILABLE:
            self.status = "Oversikten er oppdatert."

    def on_download(self, _content: dict[str, Any]) -> None:
        if not self.session.learner:
            self.status = "Koden din er ikke lest inn ennå. Vent et øyeblikk og prøv igjen."
            return
        try:
            events, state = self._collect()
        except Exception:
            self.status = UNAVAILABLE
            return
        document = {
            "kode": self.session.learner,
            "lastet_ned": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "forklaring": "Alt som er lagret under koden din i Trygge samtaler: hendelser (det du har gjort i kurset) "
            "og private data (fremdrift, det du har skrevet, innstillinger).",
            "hendelser": events,
            "private_data": state,
        }
        filename = f"mine-data-{self.session.learner}.json"
        payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        self.send({"type": "download", "filename": filename}, buffers=[payload])
        self.status = (
            f"Dataene dine er lastet ned ({filename}: {len(events)} hendelser, {len(state)} private verdier)."
        )

    def on_delete(self, content: dict[str, Any]) -> None:
        if content.get("confirm") is not True:
            return  # the page asks «Er du sikker?» first; a message without the answer deletes nothing
        code = self.session.learner
        if not code:
            self.status = "Koden din er ikke lest inn ennå. Ingenting er slettet."
            return
        try:
            removed = self.session.delete_my_data()
        except Exception:
            self.status = UNAVAILABLE.replace("vise eller slette", "slette") + " Ingenting er slettet."
            return
        self._refresh()
        self.status = (
            f"Alt som var lagret under koden {code} er slettet ({removed} oppføringer). Last siden på nytt "
            "for å se det overalt. Bruker du kurset videre med samme kode, lagres ny fremdrift under den."
        )


def _iso(stamp: Any) -> str:
    if isinstance(stamp, str):
        return stamp
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return str(stamp.isoformat())
