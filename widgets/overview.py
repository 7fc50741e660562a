"""CourseOverview (the start page's list of themes with the learner's progress) and HelpBox (where real help is)."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget
from ._markdown import escape
from .content import Course


class CourseOverview(TryggeWidget):
    """The six themes with title, summary, the learner's progress and a link to each ready theme.

    Parameters
    ----------
    course:
        The loaded course.
    """

    _front_end = "overview"

    themes = t.List(t.Dict(), help="[{id, title, summary, ready, notebook, total, done}] in course order.").tag(sync=True)

    def __init__(self, course: Course, **kwargs: Any) -> None:
        self.course = course
        super().__init__(**kwargs)
        self._refresh()
        self.session.on_learner(lambda _code: self._refresh())

    def _refresh(self) -> None:
        self.themes = [
            {"id": th.id, "order": th.order, "title": th.title, "summary": th.summary, "ready": th.ready,
             "notebook": th.notebook, "goals": th.goals, "total": len(th.sections),
             "done": len(set(self.session.progress(th.id)) & set(th.sections))}
            for th in self.course.themes
        ]


#: Shown on every page that has a simulation, and on the start page (ids in helplines.yaml).
REAL_HELP = ("amk-113", "hjelpetelefonen", "legevakt", "alarmtelefonen")


class HelpBox:
    """Where real help is, from the help-line directory. Plain HTML: no kernel round trip, no widget."""

    def __init__(self, helplines: list[dict[str, Any]], ids: tuple[str, ...] = REAL_HELP) -> None:
        by_id = {s["id"]: s for s in helplines}
        self.services = [by_id[i] for i in ids if i in by_id]

    @staticmethod
    def _item(service: dict[str, Any]) -> str:
        contact = []
        if service.get("phone"):
            contact.append(f"ring {escape(service['phone'])}")
        if service.get("chat"):
            contact.append(f'<a href="{escape(service["chat"])}" rel="noopener noreferrer" target="_blank">chat</a>')
        return (f"<li><strong>{escape(service['name'])}</strong>: {' · '.join(contact)} "
                f"<span class='ts-muted'>({escape(service['hours_text'])})</span></li>")

    def _repr_html_(self) -> str:
        items = "".join(self._item(s) for s in self.services)
        return (
            "<aside class='ts-helpbox' aria-labelledby='ts-helpbox-h'>"
            "<h2 id='ts-helpbox-h'>Trenger du hjelp selv?</h2>"
            "<p>Dette kurset er opplæring. Simulatoren er bare for trening, og ingen leser det du skriver. "
            "Trenger du noen å snakke med, eller er noen i fare, kontakt en ekte tjeneste:</p>"
            f"<ul>{items}</ul></aside>"
        )
