"""Referral advice from the help-line directory: which services a learner named, and whether each fits the caller
(need and age) and is open at the scenario's day and time of day, on the scenario's channel.

Seed 000 shows the practice the simulator trains: recommend the *other* service when it fits the caller's need — so a
referral is judged against ``data/helplines.yaml`` (``hours`` per channel and weekday, ``target`` ages) and, when the
scenario says so, its ``referral: {fits: [service ids], why: …}``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {"mon": "mandag", "tue": "tirsdag", "wed": "onsdag", "thu": "torsdag", "fri": "fredag", "sat": "lørdag",
             "sun": "søndag"}
#: The day assumed when a scenario does not say (the summary says that it was assumed).
DEFAULT_DAY = "wed"
CHANNEL_NAMES = {"phone": "telefon", "chat": "chat"}

#: Extra names learners use for a service (lower case), beyond its name, phone number and chat address.
ALIASES: dict[str, tuple[str, ...]] = {
    "hjelpetelefonen": ("hjelpetelefonen", "mental helse", "side med ord", "sidetmedord"),
    "kirkens-sos": ("kirkens sos", "sos-chat", "soschat"),
    "kors-pa-halsen": ("kors på halsen", "kors pa halsen", "røde kors"),
    "alarmtelefonen": ("alarmtelefonen", "116111"),
    "rusinfo": ("rusinfo", "rustelefonen"),
    "vo-linjen": ("vold- og overgrepslinjen", "vo-linjen", "volinjen", "overgrepslinjen"),
    "seksuelt-misbrukte": ("seksuelt misbrukte",),
    "ros": ("rådgivning om spiseforstyrrelser", "nettros"),
    "leve": ("landsforeningen for etterlatte",),
    "mhu-hjelpechat": ("mental helse ungdom",),
    "legevakt": ("legevakt",),
    "amk-113": ("nødtelefon", "ambulanse", "amk"),
    "politi-112": ("politiet", "politi"),
}
#: Names that are also ordinary words: matched only as written (capitals), e.g. «LEVE», «ROS».
CASED_ALIASES: dict[str, tuple[str, ...]] = {"leve": ("LEVE",), "ros": ("ROS",)}


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@functools.lru_cache(maxsize=16)
def _matchers(key: tuple[tuple[str, str, str, str], ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None,
                                                                      dict[str, str], list[tuple[str, re.Pattern[str]]]]:
    """One regex for all names (longest first, so a longer name wins where two start), one for cased aliases,
    the group → service map, and one regex per phone number. Built once per directory."""
    names: list[tuple[str, str]] = []
    cased: list[tuple[str, str]] = []
    phones = []
    for sid, name, chat, phone in key:
        names += [(sid, n) for n in (name.lower(), *ALIASES.get(sid, ()))]
        if chat:
            names.append((sid, re.sub(r"^https?://(www\.)?", "", chat).rstrip("/").lower()))
        cased += [(sid, n) for n in CASED_ALIASES.get(sid, ())]
        digits = _digits(phone)
        if digits:
            phones.append((sid, re.compile(rf"(?<!\d){digits}(?!\d)")))
    groups: dict[str, str] = {}

    def alternation(items: list[tuple[str, str]], prefix: str) -> str:
        parts = []
        for i, (sid, name) in enumerate(sorted(items, key=lambda item: -len(item[1]))):
            groups[f"{prefix}{i}"] = sid
            parts.append(f"(?P<{prefix}{i}>{re.escape(name)})")
        return r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)"

    plain = re.compile(alternation(names, "n"))
    cased_rx = re.compile(alternation(cased, "c")) if cased else None
    return plain, cased_rx, groups, phones


def services_named(text: str, helplines: Iterable[dict[str, Any]]) -> list[str]:
    """The ids of the services a text names (by name, alias, phone number or chat address), in directory order.

    A longer name claims its words first, so «Mental Helse Ungdom» names only that chat, not also Mental Helse's
    help line. Phone numbers are compared without spaces («116 123» = «116123»).
    """
    services = list(helplines)
    key = tuple((s["id"], s["name"], s.get("chat") or "", s.get("phone") or "") for s in services)
    plain, cased, groups, phones = _matchers(key)
    hits = {groups[m.lastgroup] for m in plain.finditer(text.lower()) if m.lastgroup}
    if cased is not None:
        hits |= {groups[m.lastgroup] for m in cased.finditer(text) if m.lastgroup}
    joined = re.sub(r"(?<=\d)[ .\-](?=\d)", "", text)
    hits |= {sid for sid, rx in phones if rx.search(joined)}
    return [s["id"] for s in services if s["id"] in hits]


@dataclasses.dataclass
class Verdict:
    """How well one named service fits a scenario."""

    service: str
    name: str
    fits_need: bool | None  # None: the scenario does not say which services fit
    fits_age: bool
    open_now: bool | None  # None: the directory has no verified hours
    channels_open: list[str]
    reasons: list[str]

    @property
    def ok(self) -> bool:
        return self.fits_need is not False and self.fits_age and self.open_now is not False

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "ok": self.ok}


#: A week with no public holiday: a scenario's weekday and time are read as that day of this week.
_ORDINARY_MONDAY = dt.date(2026, 11, 16)


def scenario_time(day: str, time: str) -> dt.datetime:
    """The scenario's weekday and clock time as a (naive, Oslo) datetime in an ordinary week without holidays."""
    date = _ORDINARY_MONDAY + dt.timedelta(days=DAYS.index(day))
    hours, minutes = (int(x) for x in time.split(":"))
    return dt.datetime(date.year, date.month, date.day, hours, minutes)


def open_channels(service: dict[str, Any], day: str, time: str) -> list[str] | None:
    """The channels open on weekday ``day`` at ``time`` («21:40»), or ``None`` when the hours are not verified.

    The rules (spans past midnight, «24:00») are :mod:`widgets.helplines`'s, shared with the help-line finder.
    """
    from .. import helplines as directory

    return directory.open_channels(service, scenario_time(day, time))


def _age_text(target: dict[str, Any]) -> str:
    low, high = target.get("min_age"), target.get("max_age")
    if low and high:
        return f"for deg mellom {low} og {high} år"
    if high:
        return f"for deg under {high + 1} år"
    if low:
        return f"for deg over {low - 1} år" if low > 1 else "for alle"
    return "for alle"


def judge(service: dict[str, Any], scenario: dict[str, Any]) -> Verdict:
    """Does ``service`` fit the scenario's caller (need, age) and is it open at the scenario's day and time?"""
    persona = scenario["persona"]
    age = persona["age"]
    day = scenario.get("day", DEFAULT_DAY)
    time = scenario["time"]
    alias = persona["alias"]
    reasons = []
    from .. import helplines as directory

    target = service.get("target") or {}
    fits_age = directory.fits_age(service, age)
    if not fits_age:
        reasons.append(f"{service['name']} er {_age_text(target)}, og {alias} er {age}.")
    fits = (scenario.get("referral") or {}).get("fits")
    fits_need = None if fits is None else service["id"] in fits
    if fits_need is False:
        reasons.append(f"{service['name']} passer ikke det {alias} trenger her (hjelp med {', '.join(service['needs'])}).")
    channels = open_channels(service, day, time)
    when = f"{DAY_NAMES[day]} kl. {time}"
    if channels is None:
        open_now = None
        reasons.append(f"Åpningstidene til {service['name']} er ikke bekreftet – sjekk før du viser videre.")
    elif channels:
        open_now = True
    else:
        open_now = False
        reasons.append(f"{service['name']} er stengt {when} ({service['hours_text'].strip()})")
    return Verdict(service["id"], service["name"], fits_need, fits_age, open_now, channels or [], reasons)


def verdict_line(verdict: Verdict, scenario: dict[str, Any]) -> str:
    """One line for the learner: that it fitted and was open, or why not."""
    if not verdict.ok:
        return " ".join(verdict.reasons)
    day = scenario.get("day", DEFAULT_DAY)
    text = f"{verdict.name} passer for {scenario['persona']['alias']}"
    if verdict.open_now:
        channels = " og ".join(CHANNEL_NAMES.get(c, c) for c in verdict.channels_open)
        text += f", og er åpen {DAY_NAMES[day]} kl. {scenario['time']} ({channels})"
    elif verdict.reasons:
        text += ". " + " ".join(verdict.reasons).rstrip(".")
    return text + "."


def fitting_services(scenario: dict[str, Any], helplines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The services the scenario names as fitting (``referral.fits``), in that order."""
    by_id = {s["id"]: s for s in helplines}
    return [by_id[sid] for sid in (scenario.get("referral") or {}).get("fits", []) if sid in by_id]


_HELPLINES: dict[str, list[dict[str, Any]]] = {}


def helplines() -> list[dict[str, Any]]:
    """The course's help-line directory (read once per course directory; `trygge validate` checks it)."""
    from ..content import REPO_ROOT, course_dir, read_yaml

    for root in (course_dir(), REPO_ROOT):
        path = root / "data" / "helplines.yaml"
        if path.is_file():
            key = str(path)
            if key not in _HELPLINES:
                _HELPLINES[key] = (read_yaml(path).data or {}).get("services", [])
            return _HELPLINES[key]
    return []
