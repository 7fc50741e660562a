"""Lær mer (cited sources) and the printable worksheet, as widgets that notice when they are used."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget


def target_text(target: dict[str, Any]) -> str:
    """«Alle», «under 18 år», «18–36 år» … from a service's target group."""
    low, high = target.get("min_age"), target.get("max_age")
    groups = ", ".join(target.get("groups", []))
    if low and high:
        ages = f"{low}–{high} år"
    elif high:
        ages = f"til og med {high} år"
    elif low:
        ages = f"fra {low} år"
    else:
        ages = ""
    return ", ".join(x for x in (groups, ages) if x) or "alle"


def service_for_browser(service: dict[str, Any]) -> dict[str, Any]:
    """A help-line entry as the «Hvor kan du henvise?» list shows it (always with source and date checked)."""
    return {"name": service["name"], "phone": service.get("phone") or "", "chat": service.get("chat") or "",
            "hours": service["hours_text"], "target": target_text(service.get("target", {})),
            "source": service["source"], "checked": service["checked"], "note": service.get("note", "")}


class LearnMore(TryggeWidget):
    """The theme's «Lær mer» sources: title, publisher, year, address and why it is worth reading.

    Parameters
    ----------
    theme_id:
        The theme the sources belong to.
    sources:
        Sources as in ``sources.yaml``.
    """

    _front_end = "learnmore"

    sources = t.List(t.Dict(), help="[{title, publisher, year, url, note, checked}]").tag(sync=True)
    services = t.List(t.Dict(), help="Help lines that fit the theme: [{name, phone, chat, hours, target, source, checked}]").tag(sync=True)

    def __init__(self, theme_id: str, sources: list[dict[str, Any]], services: list[dict[str, Any]] = (),
                 **kwargs: Any) -> None:
        self.theme_id = theme_id
        super().__init__(sources=[{k: s.get(k, "") for k in ("title", "publisher", "year", "url", "note", "checked")}
                                  for s in sources],
                         services=[service_for_browser(s) for s in services], **kwargs)

    def on_opened(self, content: dict[str, Any]) -> None:
        index = content.get("index")
        if isinstance(index, int) and 0 <= index < len(self.sources):
            self.session.emit("experienced", f"{self.theme_id}/learn-more/source-{index + 1}", "resource", {})
            self.session.mark_done(self.theme_id, "learn_more")

    def on_done(self, _content: dict[str, Any]) -> None:
        self.session.mark_done(self.theme_id, "learn_more")


class Worksheet(TryggeWidget):
    """A button that downloads the theme's worksheet as a PDF (made when asked, not at page start).

    Parameters
    ----------
    course_title:
        Printed on the sheet.
    theme:
        The theme (its goals and tasks fill the sheet).
    """

    _front_end = "worksheet"

    title = t.Unicode(help="The theme's title.").tag(sync=True)
    filename = t.Unicode(help="The name the PDF is saved under.").tag(sync=True)

    def __init__(self, course_title: str, theme: Any, **kwargs: Any) -> None:
        self.course_title = course_title
        self.theme = theme
        super().__init__(title=theme.title, filename=f"arbeidsark-{theme.id}.pdf", **kwargs)

    def pdf(self) -> bytes:
        from .printables import worksheet_pdf

        return worksheet_pdf(self.course_title, self.theme)

    def on_download(self, _content: dict[str, Any]) -> None:
        self.send({"type": "pdf", "filename": self.filename}, buffers=[self.pdf()])
        self.session.emit("experienced", f"{self.theme.id}/printable/worksheet", "printable", {})
        self.session.mark_done(self.theme.id, "printable")
