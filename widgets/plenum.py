"""The facilitator view for group sessions («i plenum»): one theme, one step at a time, on a projector.

``notebooks/plenum.ipynb`` (rendered with the ``trygge-plenum`` template: large type, wide page) calls
``ts.plenum()``. The facilitator picks a theme; the view then walks through it step by step: the introduction and
goals, then each of the theme's sections in the order of its notebook. A step shows

- the section's text from the theme notebook (what learners read),
- the facilitator's notes: the theme notebook's cells tagged ``trener``, which the learner template removes, so
  they are only ever seen here and by trainers in JupyterLab,
- discussion prompts (the theme's group reflection tasks),
- what the room watches or does together: the film, the conversation simulation, «Lær mer», the worksheet,
- ready-made questions for a live anonymous poll (:mod:`widgets.polls`): the confidence statements as a scale,
  the quiz items as multiple choice with the answer to reveal, the reflection tasks as a few words.

Nothing here is learner data: the facilitator page has no learner code, so its films and simulations record
nothing; poll answers are kept under the poll session (:class:`widgets.polls.PollRoom`).

The facilitator key
-------------------
The page shows trainer notes and runs polls, and Voilà renders it for anyone who knows its address. So
:func:`plenum` shows it only to an address that carries the server's facilitator key (``?nokkel=<key>``).
``trygge serve`` puts the key in ``TRYGGE_FACILITATOR_KEY`` for its kernels (from ``--facilitator-key``, the
environment, or a new random key at every start) and prints the facilitator's address with it; Voilà hands the
page's query string to its kernel as ``QUERY_STRING``. A missing or wrong key gets a calm Norwegian message and a
link to the start page: no trainer notes, no poll controls. With no key configured at all (the notebook run by a
trainer in JupyterLab on their own machine, or by nbclient in the tests) the view is shown as before.

The key is compared with :func:`hmac.compare_digest` and never kept anywhere else: not in a widget's state, an
event, a log line or the page, whose only copy is the address the facilitator opened.
"""

from __future__ import annotations

import dataclasses
import hmac
import html
import os
import urllib.parse
from typing import Any

import nbformat
import traitlets as t

from ._base import TryggeWidget
from ._markdown import to_html
from .build import TRAINER_TAG, section_blocks
from .content import FILM_SECTIONS, SECTION_TITLES, Course, Theme, load_course
from .polls import PollHost, Question
from .quiz import normalise_item

__all__ = [
    "FACILITATOR_KEY_ENV",
    "FACILITATOR_KEY_PARAM",
    "PlenumView",
    "Step",
    "facilitator_access",
    "plenum",
    "plenum_steps",
    "refusal",
]

#: The environment variable that holds the facilitator key in the kernels of a server (set by ``trygge serve``).
FACILITATOR_KEY_ENV = "TRYGGE_FACILITATOR_KEY"
#: The name of the key in the facilitator page's address: ``…/plenum.ipynb?nokkel=<key>``.
FACILITATOR_KEY_PARAM = "nokkel"
#: The learners' start page, relative to the facilitator page (both are in ``notebooks/``).
START_PAGE_LINK = "00-start.ipynb"


@dataclasses.dataclass
class Step:
    """One step of a plenary session."""

    key: str
    title: str
    text: str = ""  # Markdown the learners read
    notes: list[str] = dataclasses.field(default_factory=list)  # the trainer cells (Markdown)
    prompts: list[dict[str, str]] = dataclasses.field(default_factory=list)  # [{title, prompt}] Markdown
    show: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (kind, arg): film, simulation …
    polls: list[Question] = dataclasses.field(default_factory=list)

    def for_browser(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "text_html": to_html(self.text),
                "notes_html": [to_html(n) for n in self.notes],
                "prompts": [{"title": p["title"], "html": to_html(p["prompt"])} for p in self.prompts]}


def _is_trainer(cell: Any) -> bool:
    return TRAINER_TAG in (cell.get("metadata", {}).get("tags") or [])


def _split(cells: list[Any]) -> tuple[str, list[str]]:
    """(the learner text without the section heading, the trainer notes) of a notebook part."""
    text, notes = [], []
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        if _is_trainer(cell):
            notes.append(cell.source)
            continue
        lines = cell.source.strip().splitlines()
        if lines and lines[0].startswith("## "):
            lines = lines[1:]
        if lines and lines[0].startswith("# "):
            continue  # the page title
        if lines and lines[0].startswith("### "):
            continue  # a scenario's own heading: the step has it as its title
        body = "\n".join(lines).strip()
        if body and "00-start.ipynb" not in body:
            text.append(body)
    return "\n\n".join(text), notes


def plenum_steps(course: Course, theme: Theme) -> list[Step]:
    """The steps of a plenary session for ``theme``: the introduction, then each section of its notebook."""
    path = course.root / "notebooks" / theme.notebook
    nb = nbformat.read(path, as_version=4) if path.is_file() else nbformat.v4.new_notebook()
    head, blocks, _tail = section_blocks(nb)
    _head_text, head_notes = _split(head)
    goals = "\n".join(f"- {g}" for g in theme.goals)
    steps = [Step("intro", theme.title, f"{theme.intro}\n\n**Når dere er ferdige med temaet**\n\n{goals}",
                  head_notes)]
    ordered = [s for s in blocks if s in theme.sections] + [s for s in theme.sections if s not in blocks]
    for section in ordered:
        text, notes = _split(blocks.get(section, []))
        title = SECTION_TITLES[section]
        if section in ("confidence_before", "confidence_after"):
            statements = theme.confidence.get("statements", [])
            scale = int(theme.confidence.get("scale", 7))
            steps.append(Step(section, title, text, notes, polls=[
                Question("rating", s["text"], scale=scale, source=f"{theme.id}/confidence/{s['id']}")
                for s in statements]))
        elif section in FILM_SECTIONS:
            steps.append(Step(section, title, text, notes, show=[("film", section)]))
        elif section == "quiz":
            polls = []
            for item in theme.quiz:
                item = normalise_item(item)
                polls.append(Question("choice", _plain(item["prompt"]), [o["text"] for o in item["options"]][:8],
                                      source=f"{theme.id}/quiz/{item['id']}",
                                      correct=[i for i, o in enumerate(item["options"]) if o["correct"]],
                                      explanation=item["explanation"]))
            steps.append(Step(section, title, text, notes, polls=polls))
        elif section == "simulation":
            for scenario in theme.scenarios.values():
                own = [scenario["facilitator_notes"]] if scenario.get("facilitator_notes") else []
                steps.append(Step(f"simulation/{scenario['id']}", f"{title}: {scenario['title']}", text, notes + own,
                                  show=[("simulation", scenario["id"])],
                                  polls=[Question("text", "Hva ville du svart nå?"),
                                         Question("choice", "Hva trenger personen mest akkurat nå?",
                                                  ["Å bli lyttet til", "Et råd", "Informasjon om hjelp",
                                                   "Hjelp til å holde seg trygg"])]))
                notes = []  # the section's notes once, with its first scenario
        elif section == "reflection":
            group = [task for task in theme.tasks if task.get("mode") in ("group", "both")]
            steps.append(Step(section, title, text, notes, prompts=[{"title": task["title"], "prompt": task["prompt"]}
                                                                    for task in group],
                              polls=[Question("text", f"{task['title']}: hva tar du med deg?") for task in group]))
        elif section == "learn_more":
            steps.append(Step(section, title, text, notes, show=[("learn_more", "")]))
        elif section == "printable":
            steps.append(Step(section, title, text, notes, show=[("worksheet", "")]))
        else:  # pragma: no cover - every section kind is handled above
            steps.append(Step(section, title, text, notes))
    return steps


def _plain(markdown: str) -> str:
    """A quiz prompt as one line of plain text for the poll (the room reads it on the screen)."""
    import re

    text = re.sub(r"[*_`>#]+", "", markdown)
    return " ".join(text.split())[:300]


def theme_from_query(query: str | None = None) -> str:
    """The ``tema`` in the page's address (``…/plenum.ipynb?tema=samtalen``), which Voilà gives the kernel."""
    query = os.environ.get("QUERY_STRING", "") if query is None else query
    values = urllib.parse.parse_qs(query).get("tema", [])
    return values[0] if values else ""


def configured_facilitator_key(environ: Any = None) -> str:
    """The server's facilitator key (``TRYGGE_FACILITATOR_KEY``), or ``""`` when none is configured."""
    environ = os.environ if environ is None else environ
    return str(environ.get(FACILITATOR_KEY_ENV, "") or "").strip()


def facilitator_access(query: str | None = None, key: str | None = None) -> str:
    """Whether this page may show the facilitator view: ``"open"``, ``"missing"`` or ``"wrong"``.

    ``query`` is the page's query string (default: ``QUERY_STRING``, which Voilà gives the kernel); ``key`` the
    expected key (default: :func:`configured_facilitator_key`). With no key configured, the page is ``"open"``
    (a trainer's own machine). The comparison takes the same time however much of a wrong key matches.
    """
    expected = configured_facilitator_key() if key is None else key.strip()
    if not expected:
        return "open"
    query = os.environ.get("QUERY_STRING", "") if query is None else query
    given = urllib.parse.parse_qs(query).get(FACILITATOR_KEY_PARAM, [])
    if not given or not given[0]:
        return "missing"
    return "open" if hmac.compare_digest(given[0].encode("utf-8"), expected.encode("utf-8")) else "wrong"


REFUSAL_TEXT = "Denne siden er for kursholderen. Bruk lenken med nøkkel som ble skrevet ut da kurset ble startet."
WRONG_KEY_TEXT = "Nøkkelen i adressen stemmer ikke."


def refusal(reason: str) -> Any:
    """The calm message a page without the right key shows instead of the facilitator view (static HTML, no
    widget, nothing from the address)."""
    from IPython.display import HTML

    lead = f"{WRONG_KEY_TEXT} " if reason == "wrong" else ""
    return HTML(
        '<div class="ts-plenum-refused" role="status">'
        f"<p><strong>{html.escape(lead + REFUSAL_TEXT)}</strong></p>"
        "<p>Er du deltaker? Gå til "
        f'<a href="{html.escape(START_PAGE_LINK)}">startsiden for kurset</a>.</p>'
        "</div>")


class PlenumNav(TryggeWidget):
    """The step navigator and the text of the current step (the live parts are separate widgets below it)."""

    _front_end = "plenum"

    themes = t.List(t.Dict(), help="[{id, title}] the ready themes to choose from.").tag(sync=True)
    theme = t.Unicode("", help="The chosen theme's id.").tag(sync=True)
    theme_title = t.Unicode("", help="The chosen theme's title.").tag(sync=True)
    steps = t.List(t.Dict(), help="[{key, title}] every step of the theme.").tag(sync=True)
    index = t.Int(0, help="The step on the screen.").tag(sync=True)
    step = t.Dict(help="{key, title, text_html, notes_html[], prompts[]} of the step on the screen.").tag(sync=True)

    def __init__(self, view: PlenumView, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.view = view

    def on_choose(self, content: dict[str, Any]) -> None:
        self.view.choose(str(content.get("theme", "")))

    def on_go(self, content: dict[str, Any]) -> None:
        index = content.get("index")
        if isinstance(index, int):
            self.view.go(index)


class PlenumView:
    """The facilitator view: the navigator, the step's live content, and the poll panel.

    Parameters
    ----------
    theme_id:
        Start with this theme (default: ``?tema=`` in the address; else the facilitator picks one).
    course:
        The course (default: the loaded course).
    """

    def __init__(self, theme_id: str | None = None, course: Course | None = None) -> None:
        import ipywidgets

        self.course = course or load_course()
        self.nav = PlenumNav(self, themes=[{"id": th.id, "title": th.title} for th in self.course.themes if th.ready])
        self.stage = ipywidgets.Box()
        self.stage.add_class("ts-plenum-stage")
        self.polls = PollHost()
        self.box = ipywidgets.VBox([self.nav, self.stage, self.polls])
        self.box.add_class("ts-plenum")
        self.theme: Theme | None = None
        self._steps: list[Step] = []
        self._shown: dict[tuple[str, str], Any] = {}
        self._page: Any = None
        wanted = theme_id if theme_id is not None else theme_from_query()
        if wanted and any(th["id"] == wanted for th in self.nav.themes):
            self.choose(wanted)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def choose(self, theme_id: str) -> None:
        """Show ``theme_id`` from its first step."""
        theme = self.course.theme(theme_id)
        if not theme.ready:
            raise LookupError(f"Temaet {theme_id!r} er ikke klart.")
        self.theme = theme
        self._steps = plenum_steps(self.course, theme)
        self._shown = {}
        self.polls.theme = theme.id
        self.nav.theme, self.nav.theme_title = theme.id, theme.title
        self.nav.steps = [{"key": s.key, "title": s.title} for s in self._steps]
        self.go(0)

    def go(self, index: int) -> None:
        """Show step ``index`` (0 = the introduction)."""
        if not self._steps:
            return
        index = max(0, min(index, len(self._steps) - 1))
        step = self._steps[index]
        self.nav.index = index
        self.nav.step = step.for_browser()
        self.stage.children = tuple(self._widget(kind, arg) for kind, arg in step.show)
        self.polls.suggest(step.polls)

    @property
    def steps(self) -> list[Step]:
        return list(self._steps)

    def _widget(self, kind: str, arg: str) -> Any:
        """The live widget for a step, made once per theme so going back keeps its state (film position, chat)."""
        key = (kind, arg)
        if key not in self._shown:
            from .lesson import ThemePage

            assert self.theme is not None
            if self._page is None or self._page.theme.id != self.theme.id:
                self._page = ThemePage(self.theme.id, self.course)
            page = self._page
            if kind == "film":
                self._shown[key] = page.film(arg)
            elif kind == "simulation":
                self._shown[key] = page.simulation(arg)
            elif kind == "learn_more":
                self._shown[key] = page.learn_more()
            elif kind == "worksheet":
                self._shown[key] = page.worksheet()
            else:  # pragma: no cover
                raise ValueError(kind)
        return self._shown[key]


def plenum(theme_id: str | None = None) -> Any:
    """The one line the facilitator page calls: the view, or the refusal when the address lacks the right key."""
    access = facilitator_access()
    if access != "open":
        return refusal(access)
    return PlenumView(theme_id)
