"""VideoPlayer: a film with captions (on by default), a selectable audio-described version, a transcript panel,
full keyboard operation, and resume where the learner stopped.

The described version is its own file with extra narration: a ``kind="descriptions"`` text track is not enough,
because browsers do not voice it (W3C ACT rule 1ec09b).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import traitlets as t

from ._base import TryggeWidget
from ._markdown import to_html

#: How much of a film must have been seen before «completed» counts, when the learner skips to the end.
COMPLETE_SHARE = 0.9


def _local(ref: str) -> str:
    """A media reference as the browser asks for it: course-dir relative (``data/media/…``) or the https address."""
    return ref if ref.startswith(("https://", "http://")) else f"data/{ref}"


def film_for_browser(film: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """What the browser needs to play a film from ``films.yaml``: addresses, the transcript text, labels."""
    transcript = film["transcript"]
    if transcript.startswith("https://"):
        transcript_text, transcript_url = "", transcript
    else:
        transcript_text, transcript_url = (data_dir / transcript).read_text(encoding="utf-8"), ""
    return {
        "id": film["id"],
        "kind": film["kind"],
        "title": film["title"],
        "description_html": to_html(film["description"]),
        "demo": bool(film.get("demo")),
        "sources": [{"src": _local(s["src"]), "type": s["type"]} for s in film["sources"]],
        "captions": _local(film["captions"]),
        "poster": _local(film["poster"]) if film.get("poster") else "",
        "described": {
            "sources": [{"src": _local(s["src"]), "type": s["type"]} for s in film["described"]["sources"]],
            "captions": _local(film["described"]["captions"]),
        },
        "transcript": transcript_text,
        "transcript_url": transcript_url,
    }


class VideoPlayer(TryggeWidget):
    """One film.

    Parameters
    ----------
    theme_id:
        The theme the film belongs to (for events and progress).
    film:
        The film as in ``films.yaml``.
    data_dir:
        The course's ``data/`` folder (to read the transcript).
    """

    _front_end = "video"

    film = t.Dict(help="Sources, captions, described version, transcript and labels.").tag(sync=True)
    described = t.Bool(False, help="Play the audio-described version (remembered for the learner).").tag(sync=True)
    captions_on = t.Bool(True, help="Show captions (on by default).").tag(sync=True)
    resume_at = t.Float(0.0, help="Where the learner stopped last time, in seconds.").tag(sync=True)

    def __init__(self, theme_id: str, film: dict[str, Any], data_dir: Path, **kwargs: Any) -> None:
        self.theme_id = theme_id
        self.film_id = film["id"]
        self.section = film["kind"]
        super().__init__(film=film_for_browser(film, data_dir), **kwargs)
        self._completed = False
        self.session.on_learner(lambda _code: self._load())

    @property
    def _object(self) -> str:
        return f"{self.theme_id}/film/{self.film_id}"

    def _position_key(self) -> str:
        return f"video/{self.theme_id}/{self.film_id}/{'described' if self.described else 'standard'}"

    def _load(self) -> None:
        self.described = bool(self.session.get_state("pref/described", False))
        self.captions_on = bool(self.session.get_state("pref/captions", True))
        self.resume_at = float(self.session.get_state(self._position_key(), 0.0) or 0.0)

    @staticmethod
    def _seconds(content: dict[str, Any], key: str = "position") -> float:
        value = content.get(key)
        return round(float(value), 1) if isinstance(value, (int, float)) and 0 <= value < 36_000 else 0.0

    def _result(self, content: dict[str, Any]) -> dict[str, Any]:
        return {"position": self._seconds(content), "described": self.described, "captions": self.captions_on}

    def on_play(self, content: dict[str, Any]) -> None:
        self.session.emit("played", self._object, "film", self._result(content))

    def on_pause(self, content: dict[str, Any]) -> None:
        self.session.emit("paused", self._object, "film", self._result(content))
        self.on_position(content)

    def on_seeked(self, content: dict[str, Any]) -> None:
        self.session.emit("seeked", self._object, "film", {**self._result(content), "from": self._seconds(content, "from")})

    def on_position(self, content: dict[str, Any]) -> None:
        self.session.set_state(self._position_key(), self._seconds(content))

    def on_ended(self, content: dict[str, Any]) -> None:
        self.session.set_state(self._position_key(), 0.0)
        watched = self._seconds(content, "watched")
        duration = self._seconds(content, "duration")
        if duration and watched < COMPLETE_SHARE * duration:
            return  # skipped to the end: not seen
        if not self._completed:
            self._completed = True
            self.session.emit("completed", self._object, "film",
                              {**self._result(content), "duration": duration, "completion": True})
            self.session.mark_done(self.theme_id, self.section)

    def on_preferences(self, content: dict[str, Any]) -> None:
        if isinstance(content.get("described"), bool):
            self.described = content["described"]
            self.session.set_state("pref/described", self.described)
        if isinstance(content.get("captions"), bool):
            self.captions_on = content["captions"]
            self.session.set_state("pref/captions", self.captions_on)
