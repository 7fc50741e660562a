"""ConfidenceCheck: the learner rates their own *trygghet* before and after a theme (3–5 statements, 1–7)."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget

PHASES = {"before": "confidence_before", "after": "confidence_after"}


class ConfidenceCheck(TryggeWidget):
    """Rate each statement on the theme's scale; *after* shows the change since *before*.

    Parameters
    ----------
    theme_id:
        The theme the statements belong to.
    confidence:
        ``{"scale": 7, "statements": [{"id", "text"}]}`` from ``theme.yaml``.
    phase:
        ``"before"`` or ``"after"``.
    """

    _front_end = "confidence"

    phase = t.Unicode(help="before or after").tag(sync=True)
    scale = t.Int(7, help="The top of the scale (1 is the bottom).").tag(sync=True)
    statements = t.List(t.Dict(), help="[{id, text}]").tag(sync=True)
    ratings = t.Dict(help="Saved ratings for this phase, per statement id.").tag(sync=True)
    before = t.Dict(help="The before-ratings (shown in the after phase).").tag(sync=True)
    saved = t.Bool(False, help="True once this phase has been saved.").tag(sync=True)

    def __init__(self, theme_id: str, confidence: dict[str, Any], phase: str = "before", **kwargs: Any) -> None:
        if phase not in PHASES:
            raise ValueError(f"phase must be 'before' or 'after', not {phase!r}")
        self.theme_id = theme_id
        super().__init__(phase=phase, scale=confidence["scale"], statements=confidence["statements"], **kwargs)
        self.session.on_learner(lambda _code: self._load())

    def _load(self) -> None:
        self.ratings = self.session.get_state(f"confidence/{self.theme_id}/{self.phase}", {})
        self.saved = bool(self.ratings)
        if self.phase == "after":
            self.before = self.session.get_state(f"confidence/{self.theme_id}/before", {})

    def on_save(self, content: dict[str, Any]) -> None:
        raw = content.get("ratings")
        if not isinstance(raw, dict):
            return
        ids = {s["id"] for s in self.statements}
        ratings = {k: int(v) for k, v in raw.items() if k in ids and isinstance(v, int) and 1 <= v <= self.scale}
        if len(ratings) != len(ids):
            self.error = "Svar på alle påstandene før du lagrer."
            return
        for statement_id, value in ratings.items():
            self.session.emit("rated", f"{self.theme_id}/confidence/{statement_id}", "confidence-statement",
                              {"score": {"raw": value, "min": 1, "max": self.scale}, "phase": self.phase})
        self.session.set_state(f"confidence/{self.theme_id}/{self.phase}", ratings)
        self.ratings = ratings
        self.saved = True
        self.session.mark_done(self.theme_id, PHASES[self.phase])
