"""Reflection: reflection tasks and exercises with a private place to write, to print, and an opt-in to share.

What the learner writes is scrubbed of personal data and kept only for them (learner state, never in the events
analysts see). Only if they tick «Del anonymt» is the scrubbed text sent as a ``shared`` event.
"""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget
from ._markdown import to_html
from .scrub import scrub_report

MAX_CHARS = 5000
MODES = {"individual": "Alene", "group": "I gruppe", "both": "Alene eller i gruppe"}


class Reflection(TryggeWidget):
    """The theme's reflection tasks and exercises.

    Parameters
    ----------
    theme_id:
        The theme the tasks belong to.
    tasks:
        Tasks as in ``reflections.yaml``.
    """

    _front_end = "reflection"

    tasks = t.List(t.Dict(), help="[{id, kind, mode, title, prompt_html, steps}]").tag(sync=True)
    notes = t.Dict(help="The learner's saved (scrubbed) text per task id.").tag(sync=True)
    status = t.Dict(help="A short message per task id after saving.").tag(sync=True)

    def __init__(self, theme_id: str, tasks: list[dict[str, Any]], **kwargs: Any) -> None:
        self.theme_id = theme_id
        public = [
            {"id": x["id"], "kind": x["kind"], "mode": MODES[x["mode"]], "title": x["title"],
             "prompt_html": to_html(x["prompt"]), "steps": x.get("steps", []), "duration": x.get("duration", "")}
            for x in tasks
        ]
        super().__init__(tasks=public, **kwargs)
        self.session.on_learner(lambda _code: self._load())

    def _load(self) -> None:
        prefix = f"reflection/{self.theme_id}/"
        self.notes = {k.removeprefix(prefix): v for k, v in self.session.state_with_prefix(prefix).items() if v}

    def on_save(self, content: dict[str, Any]) -> None:
        task_id = str(content.get("task"))
        if task_id not in {x["id"] for x in self.tasks}:
            return
        text = content.get("text")
        if not isinstance(text, str):
            return
        too_long = len(text) > MAX_CHARS
        clean, counts = scrub_report(text[:MAX_CHARS])
        self.session.set_state(f"reflection/{self.theme_id}/{task_id}", clean)
        self.notes = {**self.notes, task_id: clean}
        parts = ["Lagret. Bare du kan se dette."]
        if any(counts.values()):
            parts.append("Vi tok bort personopplysninger (" + ", ".join(f"{k}: {v}" for k, v in counts.items() if v) + ").")
        if too_long:
            parts.append(f"Teksten var lengre enn {MAX_CHARS} tegn og ble kortet ned.")
        shared = bool(content.get("share"))
        if shared and clean.strip():
            self.session.emit("shared", f"{self.theme_id}/reflection/{task_id}", "reflection", {"response": clean})
            parts.append("Teksten er delt anonymt med kursansvarlige.")
        self.status = {**self.status, task_id: " ".join(parts)}
        if len(self.notes) >= 1:
            self.session.mark_done(self.theme_id, "reflection")
