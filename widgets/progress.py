"""ThemeProgress: which sections of a theme the learner has finished; kept across visits under their code."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget
from .content import SECTION_TITLES, Theme


class ThemeProgress(TryggeWidget):
    """A list of a theme's sections with a tick for each one done, and a progress bar.

    Parameters
    ----------
    theme:
        The theme (from :func:`widgets.content.load_course`).
    """

    _front_end = "progress"

    title = t.Unicode(help="The theme's title.").tag(sync=True)
    sections = t.List(t.Dict(), help="[{id, title, done}] in the theme's order.").tag(sync=True)

    def __init__(self, theme: Theme, **kwargs: Any) -> None:
        super().__init__(title=theme.title, **kwargs)
        self.theme = theme
        self._refresh(self.session.progress(theme.id))
        self.session.on_learner(lambda _code: self._refresh(self.session.progress(theme.id)))
        self.session.on_progress(lambda theme_id, done: theme_id == theme.id and self._refresh(done))

    def _refresh(self, done: list[str]) -> None:
        self.sections = [{"id": s, "title": SECTION_TITLES[s], "done": s in done} for s in self.theme.sections]

    @property
    def done(self) -> int:
        return sum(s["done"] for s in self.sections)
