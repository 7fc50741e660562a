"""The help-line directory as logic: is a service open at a given time, on a given channel, for a given person?

One module answers that for the help-line finder (:mod:`widgets.finder`), the printable help-line card
(:mod:`widgets.printables`) and the simulator's referral feedback. Times are Norwegian wall-clock times
(``Europe/Oslo``, summer time included); a naive ``datetime`` is read as Oslo time, an aware one is converted.

Opening hours come from ``data/helplines.yaml``::

    hours:
      - {channel: phone, days: [mon, tue, wed, thu, fri], from: "11:00", to: "18:00"}
      - {channel: chat, days: [sat, sun, hol], from: "16:00", to: "22:00"}
      - {channel: phone, days: [fri], from: "20:00", to: "02:00"}     # past midnight: ends 02:00 on Saturday

Rules, in the order they apply:

* ``to: "24:00"`` is the end of the day. A span whose ``to`` is not after its ``from`` runs past midnight into the
  next day.
* On a Norwegian public holiday (:func:`public_holidays`) a service follows its spans marked ``hol``; a service with
  no ``hol`` span for that channel keeps its **Sunday** hours (the usual Norwegian rule «helligdager som søndag»).
  So a service open only on weekdays is closed on Langfredag, and a service open every day stays open.
* ``hours: []`` means the hours are not verified: :func:`is_open` answers ``None`` (unknown), never ``True``.

The public API::

    is_open(service, when=None, channel=None) -> bool | None
    open_channels(service, when=None) -> list[str] | None
    open_services(services, when=None, *, channel=None, need=None, age=None, include_unknown=False) -> list[dict]
    next_opening(service, when=None, channel=None) -> datetime | None
    matches(service, *, need=None, age=None, channel=None) -> bool
    public_holidays(year) -> dict[date, str];  holiday_name(day) -> str | None;  easter_sunday(year) -> date
    oslo_time(when=None) -> datetime (aware, Europe/Oslo);  describe_time(when) -> «fredag 25. desember 2026 kl. 21:30»
    weekday_time("wed", "21:40") -> datetime   (a scenario's day and time, placed in an ordinary week)
    load_helplines(root=None) -> list[dict]   (the course directory's directory of services)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "CHANNELS",
    "CHANNEL_NAMES",
    "DAYS",
    "DAY_NAMES",
    "HOLIDAY",
    "OSLO",
    "describe_time",
    "easter_sunday",
    "fits_age",
    "holiday_name",
    "is_open",
    "load_helplines",
    "matches",
    "next_opening",
    "open_channels",
    "open_services",
    "oslo_time",
    "public_holidays",
    "status_text",
    "weekday_time",
]

OSLO = ZoneInfo("Europe/Oslo")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The day key for a public holiday in ``hours[].days``.
HOLIDAY = "hol"
DAY_NAMES = {"mon": "mandag", "tue": "tirsdag", "wed": "onsdag", "thu": "torsdag", "fri": "fredag",
             "sat": "lørdag", "sun": "søndag", HOLIDAY: "helligdager"}
CHANNELS = ("phone", "chat", "sms", "email")
CHANNEL_NAMES = {"phone": "telefon", "chat": "chat", "sms": "SMS", "email": "e-post"}
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")


# -- calendar ---------------------------------------------------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, «Meeus/Jones/Butcher»)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@functools.cache
def public_holidays(year: int) -> dict[dt.date, str]:
    """Norway's public holidays (helligdager and høytidsdager) in ``year``, in date order.

    Fixed: 1. nyttårsdag, 1. mai, 17. mai, 1. and 2. juledag. Moving with Easter: Skjærtorsdag, Langfredag,
    1. and 2. påskedag, Kristi himmelfartsdag (Easter + 39 days), 1. and 2. pinsedag (Easter + 49 and 50 days).
    Sundays that are not holidays otherwise are not listed (they follow Sunday hours anyway).
    """
    easter = easter_sunday(year)
    days = {
        dt.date(year, 1, 1): "1. nyttårsdag",
        easter - dt.timedelta(days=3): "Skjærtorsdag",
        easter - dt.timedelta(days=2): "Langfredag",
        easter: "1. påskedag",
        easter + dt.timedelta(days=1): "2. påskedag",
        dt.date(year, 5, 1): "Offentlig høytidsdag (1. mai)",
        dt.date(year, 5, 17): "Grunnlovsdag (17. mai)",
        easter + dt.timedelta(days=39): "Kristi himmelfartsdag",
        easter + dt.timedelta(days=49): "1. pinsedag",
        easter + dt.timedelta(days=50): "2. pinsedag",
        dt.date(year, 12, 25): "1. juledag",
        dt.date(year, 12, 26): "2. juledag",
    }
    return dict(sorted(days.items()))


def holiday_name(day: dt.date) -> str | None:
    """The name of the public holiday on ``day``, or ``None`` on an ordinary day."""
    return public_holidays(day.year).get(day)


def oslo_time(when: dt.datetime | None = None) -> dt.datetime:
    """``when`` as an aware Oslo time: now if ``None``; a naive time is taken to be Oslo wall-clock time."""
    if when is None:
        return dt.datetime.now(OSLO)
    if when.tzinfo is None:
        return when.replace(tzinfo=OSLO)
    return when.astimezone(OSLO)


#: A Monday in a week without public holidays: scenario times («wed», «21:40») are placed in this week.
REFERENCE_MONDAY = dt.date(2026, 11, 23)


def weekday_time(day: str, hhmm: str, *, week_of: dt.date = REFERENCE_MONDAY) -> dt.datetime:
    """An Oslo time for a weekday and a clock time (a scenario's ``day`` and ``time``), in an ordinary week.

    ``day`` is ``mon`` … ``sun`` or ``hol`` (a public holiday: Kristi himmelfartsdag in the reference year).
    """
    if day == HOLIDAY:
        date = easter_sunday(week_of.year) + dt.timedelta(days=39)
    else:
        monday = week_of - dt.timedelta(days=week_of.weekday())
        date = monday + dt.timedelta(days=DAYS.index(day))
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(date, dt.time(hours % 24, minutes), tzinfo=OSLO)


def describe_time(when: dt.datetime | None = None) -> str:
    """«onsdag 25. desember 2026 kl. 21:30 (1. juledag)» – the time a result is for, as a learner reads it."""
    local = oslo_time(when)
    text = (f"{DAY_NAMES[DAYS[local.weekday()]]} {local.day}. {_MONTHS[local.month - 1]} {local.year} "
            f"kl. {local:%H:%M}")
    name = holiday_name(local.date())
    return f"{text} ({name})" if name else text


# -- opening hours ------------------------------------------------------------------------------------------------


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _spans_for_day(service: dict[str, Any], day: dt.date, channel: str | None) -> list[tuple[str, int, int]]:
    """(channel, start minute, end minute) of every span that covers part of ``day`` (minute 0–1440).

    A span running past midnight gives its first part to the day it starts on and its second to the next day.
    """
    hours = service.get("hours") or []
    out: list[tuple[str, int, int]] = []
    for previous, date in ((True, day - dt.timedelta(days=1)), (False, day)):
        key = _day_key(service, date)
        for span in hours:
            if channel is not None and span["channel"] != channel:
                continue
            if key not in _effective_days(service, span, date):
                continue
            start, end = _minutes(span["from"]), _minutes(span["to"])
            overnight = end <= start and span["to"] != "24:00"
            if previous:
                if overnight and end > 0:
                    out.append((span["channel"], 0, end))
            else:
                out.append((span["channel"], start, 1440 if overnight else end))
    return out


def _day_key(service: dict[str, Any], date: dt.date) -> str:
    return HOLIDAY if holiday_name(date) else DAYS[date.weekday()]


def _effective_days(service: dict[str, Any], span: dict[str, Any], date: dt.date) -> set[str]:
    """The day keys a span covers on ``date``: on a holiday, ``hol`` spans, else (no ``hol`` span) Sunday's."""
    days = set(span["days"])
    if holiday_name(date) is None:
        return days
    has_holiday_hours = any(HOLIDAY in s["days"] and s["channel"] == span["channel"] for s in service.get("hours") or [])
    if has_holiday_hours:
        return {HOLIDAY} & days
    return {HOLIDAY} if "sun" in days else set()


def open_channels(service: dict[str, Any], when: dt.datetime | None = None) -> list[str] | None:
    """The channels of ``service`` open at ``when`` (now by default), in the order of :data:`CHANNELS`.

    ``None`` when the directory has no verified hours for the service.
    """
    if not service.get("hours"):
        return None
    local = oslo_time(when)
    minute = local.hour * 60 + local.minute
    found = {ch for ch, start, end in _spans_for_day(service, local.date(), None) if start <= minute < end}
    return [c for c in CHANNELS if c in found]


def is_open(service: dict[str, Any], when: dt.datetime | None = None, channel: str | None = None) -> bool | None:
    """Is ``service`` open at ``when`` (now by default) on ``channel`` (any channel if ``None``)?

    ``None`` means unknown: the hours are not verified (``hours: []``), or the service has that channel
    (a chat address, a phone number) but the directory gives no hours for it.
    """
    channels = open_channels(service, when)
    if channels is None:
        return None
    if channel is None:
        return bool(channels)
    if channel in channels:
        return True
    listed = {span["channel"] for span in service["hours"]}
    if channel not in listed and _has_channel(service, channel):
        return None
    return False


def _has_channel(service: dict[str, Any], channel: str) -> bool:
    """Does the service offer ``channel`` at all (a number, an address, or hours for it)?"""
    field = {"phone": "phone", "chat": "chat", "sms": "sms", "email": "email"}[channel]
    return bool(service.get(field)) or any(s["channel"] == channel for s in service.get("hours") or [])


def next_opening(service: dict[str, Any], when: dt.datetime | None = None, channel: str | None = None,
                 days_ahead: int = 8) -> dt.datetime | None:
    """When ``service`` next opens (on ``channel``) after ``when``, within ``days_ahead`` days; ``None`` if not."""
    if not service.get("hours"):
        return None
    local = oslo_time(when)
    minute_now = local.hour * 60 + local.minute
    for offset in range(days_ahead + 1):
        date = local.date() + dt.timedelta(days=offset)
        starts = sorted(start for _ch, start, _end in _spans_for_day(service, date, channel)
                        if offset > 0 or start > minute_now)
        if starts:
            naive = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=starts[0])
            return naive.replace(tzinfo=OSLO)
    return None


def status_text(service: dict[str, Any], when: dt.datetime | None = None, channel: str | None = None) -> str:
    """One line for a learner: «Åpen nå (telefon og chat)», «Stengt – åpner tirsdag kl. 11:00» …"""
    state = is_open(service, when, channel)
    if state is None:
        return "Åpningstidene er ikke bekreftet – sjekk tjenestens nettside."
    if state:
        channels = open_channels(service, when) or []
        shown = [channel] if channel else channels
        return f"Åpen ({' og '.join(CHANNEL_NAMES[c] for c in shown)})"
    opens = next_opening(service, when, channel)
    if opens is None:
        return "Stengt."
    local = oslo_time(when)
    if opens.date() == local.date():
        day = "i dag"
    elif opens.date() == local.date() + dt.timedelta(days=1):
        day = "i morgen"
    else:
        day = DAY_NAMES[DAYS[opens.weekday()]]
    return f"Stengt – åpner {day} kl. {opens:%H:%M}"


# -- who a service is for ---------------------------------------------------------------------------------------


def fits_age(service: dict[str, Any], age: int | None) -> bool:
    """Is a person of ``age`` within the service's target ages? ``None`` (age not given) always fits."""
    if age is None:
        return True
    target = service.get("target") or {}
    low, high = target.get("min_age"), target.get("max_age")
    return (low is None or age >= low) and (high is None or age <= high)


def matches(service: dict[str, Any], *, need: str | None = None, age: int | None = None,
            channel: str | None = None) -> bool:
    """Does ``service`` help with ``need``, take a person of ``age`` and offer ``channel``? (``None``: any.)"""
    if need and need not in service.get("needs", []):
        return False
    if channel and not _has_channel(service, channel):
        return False
    return fits_age(service, age)


def open_services(services: Iterable[dict[str, Any]], when: dt.datetime | None = None, *,
                  channel: str | None = None, need: str | None = None, age: int | None = None,
                  include_unknown: bool = False) -> list[dict[str, Any]]:
    """The services that fit (:func:`matches`) and are open at ``when`` on ``channel``, in directory order.

    With ``include_unknown=True`` services whose hours are not verified are listed too (after checking them, a
    volunteer may still refer to them); by default only services known to be open are returned.
    """
    out = []
    for service in services:
        if not matches(service, need=need, age=age, channel=channel):
            continue
        state = is_open(service, when, channel)
        if state or (state is None and include_unknown):
            out.append(service)
    return out


def load_helplines(root: Path | None = None) -> list[dict[str, Any]]:
    """The directory of services of the course directory ``root`` (default: the current one), validated."""
    from .content import load_course

    return load_course(root).helplines
