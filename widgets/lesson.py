"""One-line calls for notebooks: ``tema = ts.theme("samtalen")`` then ``tema.quiz()``, ``tema.film("expert_film")`` …

Every call reads the content data; nothing a trainer edits lives in Python.
"""

from __future__ import annotations

from typing import Any

from . import session as session_mod
from .content import Course, Theme, load_course


class ThemePage:
    """The widgets of one theme, made from its content.

    Parameters
    ----------
    theme_id:
        The theme's id in ``course.yaml``.
    """

    def __init__(self, theme_id: str, course: Course | None = None) -> None:
        self.course = course or load_course()
        self.theme: Theme = self.course.theme(theme_id)
        if not self.theme.ready:
            raise LookupError(f"Temaet {theme_id!r} er ikke klart ennå (status: planned i course.yaml).")
        self.session = session_mod.current()
        self.session.emit("launched", theme_id, "theme", {})

    def header(self) -> Any:
        """The learner's code and the theme's progress, side by side."""
        import ipywidgets

        from .learner import LearnerBadge
        from .progress import ThemeProgress

        box = ipywidgets.Box([LearnerBadge(), ThemeProgress(self.theme)])
        box.add_class("ts-header-row")
        return box

    def intro(self) -> Any:
        """The theme's introduction and learning goals (plain HTML)."""
        from IPython.display import HTML

        from ._markdown import escape, to_html

        goals = "".join(f"<li>{escape(g)}</li>" for g in self.theme.goals)
        return HTML(f"<div class='ts-intro'>{to_html(self.theme.intro)}"
                    f"<h3>Når du er ferdig med temaet</h3><ul class='ts-goals'>{goals}</ul></div>")

    def confidence(self, phase: str = "before") -> Any:
        from .confidence import ConfidenceCheck

        return ConfidenceCheck(self.theme.id, self.theme.confidence, phase)

    def film(self, kind_or_id: str) -> Any:
        from .video import VideoPlayer

        return VideoPlayer(self.theme.id, self.theme.film(kind_or_id), self.course.root / "data")

    def quiz(self) -> Any:
        from .quiz import Quiz

        return Quiz(self.theme.id, self.theme.quiz)

    def simulation(self, scenario_id: str | None = None) -> Any:
        from .chat import ChatSimulation

        scenarios = self.theme.scenarios
        scenario = scenarios[scenario_id] if scenario_id else next(iter(scenarios.values()))
        return ChatSimulation(self.theme.id, scenario)

    def learn_more(self) -> Any:
        from .resources import LearnMore

        by_id = {s["id"]: s for s in self.course.helplines}
        return LearnMore(self.theme.id, self.theme.sources, [by_id[i] for i in self.theme.referrals if i in by_id])

    def reflections(self) -> Any:
        from .reflection import Reflection

        return Reflection(self.theme.id, self.theme.tasks)

    def worksheet(self) -> Any:
        from .resources import Worksheet

        return Worksheet(self.course.title, self.theme)

    def real_help(self) -> Any:
        from .overview import HelpBox

        return HelpBox(self.course.helplines)

    def finder(self) -> Any:
        """The help-line finder: which service fits a need, an age and a channel, and is open (widgets.finder)."""
        return helpline_finder(self.course)


class StartPage:
    """The start page's widgets."""

    def __init__(self, course: Course | None = None) -> None:
        self.course = course or load_course()
        self.session = session_mod.current()
        self.session.emit("launched", "course", "course", {})

    def learner(self) -> Any:
        from .learner import LearnerBadge

        return LearnerBadge()

    def themes(self) -> Any:
        from .overview import CourseOverview

        return CourseOverview(self.course)

    def real_help(self) -> Any:
        from .overview import HelpBox

        return HelpBox(self.course.helplines)

    def my_data(self) -> Any:
        """«Mine data»: what is stored under the learner's code; download it or delete it (Personvern)."""
        from .mydata import MyData

        return MyData(self.course)


def theme(theme_id: str) -> ThemePage:
    """The one line a theme notebook starts with."""
    return ThemePage(theme_id)


def start_page() -> StartPage:
    """The one line the start page starts with."""
    return StartPage()


def helpline_finder(course: Course | None = None) -> Any:
    """The help-line finder for the course's directory (with an organisation's own services)."""
    from .finder import HelplineFinder

    return HelplineFinder((course or load_course()).helplines)


def plenum(theme_id: str | None = None) -> Any:
    """The facilitator view for group sessions (notebooks/plenum.ipynb); ``?tema=<id>`` in the address picks a theme.

    Shown only when the address carries the server's facilitator key (``?nokkel=``), if one is configured; otherwise
    a calm message (:func:`widgets.plenum.plenum`)."""
    from .plenum import plenum as facilitator_page

    return facilitator_page(theme_id)


def poll() -> Any:
    """A participant's poll page (notebooks/avstemning.ipynb); ``?kode=K7QM`` in the address joins at once."""
    from .polls import PollParticipant, code_from_query

    return PollParticipant(code_from_query())
