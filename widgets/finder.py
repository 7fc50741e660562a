"""HelplineFinder: find the service that fits a person's need, age and channel, open now or at a chosen time.

For learners («Hvor kan jeg henvise?») and facilitators (in plenum). The opening-hours logic is
:mod:`widgets.helplines`, the same code the simulator's referral feedback uses, so the finder and the feedback never
disagree. Every service is shown with its contact, hours, who it is for, its source and the date it was checked.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import traitlets as t

from . import helplines as hl
from ._base import TryggeWidget
from .resources import target_text

__all__ = ["HelplineFinder", "find"]

CHANNEL_CHOICES = {"": "Alle", "phone": "Telefon", "chat": "Chat"}


def service_card(service: dict[str, Any]) -> dict[str, Any]:
    """What the finder shows about a service (never less than contact, hours, source and date checked)."""
    return {"id": service["id"], "name": service["name"], "phone": service.get("phone") or "",
            "chat": service.get("chat") or "", "hours": service["hours_text"].strip(),
            "target": target_text(service.get("target") or {}), "needs": list(service.get("needs", [])),
            "source": service["source"], "checked": service["checked"], "note": (service.get("note") or "").strip()}


def parse_when(value: Any) -> dt.datetime | None:
    """``None`` for «now», else the chosen Oslo time from ``YYYY-MM-DDTHH:MM``; ValueError (Norwegian) if malformed."""
    if value in (None, "", "now"):
        return None
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2})", str(value))
    if not match:
        raise ValueError("Velg både dato og klokkeslett, eller velg «Nå».")
    try:
        return dt.datetime.fromisoformat(f"{match[1]}T{int(match[2].split(':')[0]):02d}:{match[2].split(':')[1]}")
    except ValueError:
        raise ValueError("Datoen eller klokkeslettet finnes ikke. Sjekk det du valgte.") from None


def find(services: list[dict[str, Any]], *, need: str | None = None, age: int | None = None,
         channel: str | None = None, when: dt.datetime | None = None, only_open: bool = False) -> list[dict[str, Any]]:
    """The services that fit, each with ``open`` (True/False/None) and a ``status`` line; open ones first."""
    rows = []
    for service in services:
        if not hl.matches(service, need=need, age=age, channel=channel):
            continue
        state = hl.is_open(service, when, channel)
        if only_open and not state:
            continue
        rows.append({"id": service["id"], "open": state, "status": hl.status_text(service, when, channel)})
    rank = {True: 0, None: 1, False: 2}
    return sorted(rows, key=lambda r: rank[r["open"]])


class HelplineFinder(TryggeWidget):
    """Filter the help-line directory by need, age, channel and time (Europe/Oslo, holidays included).

    Parameters
    ----------
    services:
        The directory (``helplines.yaml`` of the course directory, with an organisation's own services).
    """

    _front_end = "finder"

    services = t.List(t.Dict(), help="Every service: [{id, name, phone, chat, hours, target, needs, source, checked, note}].").tag(sync=True)
    needs = t.List(t.Unicode(), help="The needs to filter by (from the directory), sorted.").tag(sync=True)
    results = t.List(t.Dict(), help="[{id, open, status}] the services that fit, open ones first.").tag(sync=True)
    when_text = t.Unicode("", help="The time the results are for, in words («onsdag 25. november 2026 kl. 21:30»).").tag(sync=True)

    def __init__(self, services: list[dict[str, Any]], **kwargs: Any) -> None:
        self._services = list(services)
        needs = sorted({n for s in self._services for n in s.get("needs", [])})
        super().__init__(services=[service_card(s) for s in self._services], needs=needs, **kwargs)
        self.apply()

    def apply(self, *, need: str | None = None, age: int | None = None, channel: str | None = None,
              when: dt.datetime | None = None, only_open: bool = False) -> list[dict[str, Any]]:
        """Filter and show; returns the results (also set on the widget)."""
        self.results = find(self._services, need=need, age=age, channel=channel, when=when, only_open=only_open)
        self.when_text = hl.describe_time(when)
        return self.results

    def on_filter(self, content: dict[str, Any]) -> None:
        need = content.get("need") or None
        if need is not None and need not in self.needs:
            need = None
        channel = content.get("channel") or None
        if channel not in (None, *hl.CHANNELS):
            channel = None
        age_raw = content.get("age")
        age = None
        if age_raw not in (None, ""):
            if not re.fullmatch(r"\d{1,3}", str(age_raw)) or int(age_raw) > 120:
                self.error = "Skriv alderen som et helt tall (for eksempel 16), eller la feltet stå tomt."
                return
            age = int(age_raw)
        try:
            when = parse_when(content.get("when"))
        except ValueError as exc:
            self.error = str(exc)
            return
        self.apply(need=need, age=age, channel=channel, when=when, only_open=bool(content.get("only_open")))
