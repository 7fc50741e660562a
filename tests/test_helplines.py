"""widgets.helplines: Norwegian public holidays, opening hours in Oslo time, and who a service is for."""

from __future__ import annotations

import datetime as dt

import pytest

from widgets import helplines as hl
from widgets.content import load_course

UTC = dt.UTC


@pytest.fixture(scope="module")
def directory() -> dict[str, dict]:
    return {s["id"]: s for s in load_course().helplines}


@pytest.mark.parametrize("year, easter", [(2000, "2000-04-23"), (2019, "2019-04-21"), (2024, "2024-03-31"),
                                          (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"),
                                          (2038, "2038-04-25")])
def test_easter_sunday(year: int, easter: str) -> None:
    assert hl.easter_sunday(year) == dt.date.fromisoformat(easter)


def test_public_holidays_2026_fixed_and_easter_based() -> None:
    days = {d.isoformat(): name for d, name in hl.public_holidays(2026).items()}
    assert days == {
        "2026-01-01": "1. nyttårsdag",
        "2026-04-02": "Skjærtorsdag",
        "2026-04-03": "Langfredag",
        "2026-04-05": "1. påskedag",
        "2026-04-06": "2. påskedag",
        "2026-05-01": "Offentlig høytidsdag (1. mai)",
        "2026-05-14": "Kristi himmelfartsdag",
        "2026-05-17": "Grunnlovsdag (17. mai)",
        "2026-05-24": "1. pinsedag",
        "2026-05-25": "2. pinsedag",
        "2026-12-25": "1. juledag",
        "2026-12-26": "2. juledag",
    }
    assert hl.holiday_name(dt.date(2025, 6, 9)) == "2. pinsedag"
    assert hl.holiday_name(dt.date(2025, 5, 29)) == "Kristi himmelfartsdag"
    assert hl.holiday_name(dt.date(2026, 4, 7)) is None


def test_weekday_hours_rusinfo(directory: dict) -> None:
    rusinfo = directory["rusinfo"]  # weekdays 11–18, phone and chat
    wednesday = dt.datetime(2026, 11, 25, 12, 0)
    assert hl.is_open(rusinfo, wednesday) is True
    assert hl.is_open(rusinfo, wednesday, "chat") is True
    assert hl.open_channels(rusinfo, wednesday) == ["phone", "chat"]
    assert hl.is_open(rusinfo, wednesday.replace(hour=18)) is False  # closes at 18:00 sharp
    assert hl.is_open(rusinfo, wednesday.replace(hour=17, minute=59)) is True
    assert hl.is_open(rusinfo, dt.datetime(2026, 11, 28, 12, 0)) is False  # Saturday
    assert hl.status_text(rusinfo, dt.datetime(2026, 11, 28, 12, 0)) == "Stengt – åpner mandag kl. 11:00"
    assert hl.status_text(rusinfo, wednesday.replace(hour=9)) == "Stengt – åpner i dag kl. 11:00"
    assert hl.status_text(rusinfo, wednesday.replace(hour=19)) == "Stengt – åpner i morgen kl. 11:00"


def test_holidays_follow_sunday_hours(directory: dict) -> None:
    langfredag = dt.datetime(2026, 4, 3, 12, 0)  # a Friday
    assert hl.is_open(directory["rusinfo"], langfredag) is False  # weekdays only: closed on a holiday
    assert hl.is_open(directory["leve"], langfredag) is False
    assert hl.is_open(directory["kors-pa-halsen"], langfredag.replace(hour=15)) is True  # open every day
    assert hl.is_open(directory["hjelpetelefonen"], langfredag) is True
    # 2. påskedag is a Monday: closed, and it opens again on Tuesday.
    assert hl.status_text(directory["rusinfo"], dt.datetime(2026, 4, 6, 12, 0)) == "Stengt – åpner i morgen kl. 11:00"
    # Skjærtorsdag and Kristi himmelfartsdag are Thursdays.
    assert hl.is_open(directory["leve"], dt.datetime(2026, 4, 2, 10, 0)) is False
    assert hl.is_open(directory["leve"], dt.datetime(2026, 5, 14, 10, 0)) is False
    assert hl.is_open(directory["leve"], dt.datetime(2026, 5, 13, 10, 0)) is True


def test_holiday_spans_override_sunday_hours() -> None:
    service = {"id": "x", "hours": [
        {"channel": "phone", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "14:00", "to": "22:00"},
        {"channel": "phone", "days": ["hol"], "from": "16:00", "to": "22:00"},
    ]}
    juledag = dt.datetime(2026, 12, 25, 15, 0)
    assert hl.is_open(service, juledag) is False  # holiday hours start at 16
    assert hl.is_open(service, juledag.replace(hour=16)) is True
    assert hl.is_open(service, dt.datetime(2026, 12, 24, 15, 0)) is True  # julaften is no public holiday


def test_spans_past_midnight() -> None:
    service = {"id": "natt", "hours": [{"channel": "chat", "days": ["fri"], "from": "20:00", "to": "02:00"}]}
    assert hl.is_open(service, dt.datetime(2026, 11, 27, 23, 30)) is True   # Friday night
    assert hl.is_open(service, dt.datetime(2026, 11, 28, 1, 59)) is True    # early Saturday
    assert hl.is_open(service, dt.datetime(2026, 11, 28, 2, 0)) is False
    assert hl.is_open(service, dt.datetime(2026, 11, 26, 23, 30)) is False  # Thursday night
    assert hl.next_opening(service, dt.datetime(2026, 11, 28, 3, 0)) == dt.datetime(2026, 12, 4, 20, 0, tzinfo=hl.OSLO)


def test_aware_times_are_read_in_oslo_with_summer_time(directory: dict) -> None:
    rusinfo = directory["rusinfo"]
    # 10:30 UTC is 11:30 in Oslo in winter (open) …
    assert hl.is_open(rusinfo, dt.datetime(2026, 1, 14, 10, 30, tzinfo=UTC)) is True
    # … and 12:30 in summer; 16:30 UTC is 18:30 in summer (closed) but 17:30 in winter (open).
    assert hl.is_open(rusinfo, dt.datetime(2026, 6, 17, 16, 30, tzinfo=UTC)) is False
    assert hl.is_open(rusinfo, dt.datetime(2026, 1, 14, 16, 30, tzinfo=UTC)) is True
    assert hl.oslo_time(dt.datetime(2026, 6, 17, 16, 30, tzinfo=UTC)).hour == 18


def test_unverified_hours_are_unknown_not_open(directory: dict) -> None:
    chat = directory["mhu-hjelpechat"]
    when = dt.datetime(2026, 11, 25, 20, 0)
    assert hl.is_open(chat, when) is None
    assert "ikke bekreftet" in hl.status_text(chat, when)
    # Kirkens SOS: the phone has hours, the chat has an address but no verified hours.
    sos = directory["kirkens-sos"]
    assert hl.is_open(sos, when, "phone") is True
    assert hl.is_open(sos, when, "chat") is None


def test_open_services_filters_need_age_channel_and_time(directory: dict) -> None:
    services = list(directory.values())
    tuesday_night = dt.datetime(2026, 11, 24, 23, 0)
    # A 15-year-old who wants to chat about suicidal thoughts at 23:00: Kors på halsen (14–22) is closed.
    ids = [s["id"] for s in hl.open_services(services, tuesday_night, channel="chat", need="selvmord", age=15)]
    assert ids == ["hjelpetelefonen"]
    at_seven = [s["id"] for s in hl.open_services(services, tuesday_night.replace(hour=19), channel="chat",
                                                  need="selvmord", age=15)]
    assert at_seven == ["hjelpetelefonen", "kors-pa-halsen"]
    # An adult is not let into a service for under-18s; a child not into one for adults.
    assert "kors-pa-halsen" not in [s["id"] for s in hl.open_services(services, tuesday_night.replace(hour=19), age=30)]
    assert "vo-linjen" not in [s["id"] for s in hl.open_services(services, tuesday_night, need="vold", age=12)]
    assert "alarmtelefonen" in [s["id"] for s in hl.open_services(services, tuesday_night, need="vold", age=12)]
    with_unknown = hl.open_services(services, tuesday_night, need="samtale", age=25, include_unknown=True)
    assert "mhu-hjelpechat" in [s["id"] for s in with_unknown]
    assert "mhu-hjelpechat" not in [s["id"] for s in hl.open_services(services, tuesday_night, need="samtale", age=25)]


def test_describe_time_names_the_day_and_the_holiday() -> None:
    assert hl.describe_time(dt.datetime(2026, 12, 25, 21, 30)) == "fredag 25. desember 2026 kl. 21:30 (1. juledag)"
    assert hl.describe_time(dt.datetime(2026, 11, 24, 9, 5)) == "tirsdag 24. november 2026 kl. 09:05"


# -- the finder widget (widgets.finder) uses the same logic ---------------------------------------------------------


def send(widget, **content) -> None:
    widget._dispatch(widget, content, [])


def test_find_puts_open_services_first_with_a_status_line(directory: dict) -> None:
    from widgets.finder import find

    rows = find(list(directory.values()), need="rus", when=dt.datetime(2026, 11, 28, 12, 0))  # a Saturday
    assert [r["id"] for r in rows] == ["rusinfo"] and rows[0]["open"] is False
    assert rows[0]["status"] == "Stengt – åpner mandag kl. 11:00"
    rows = find(list(directory.values()), need="selvmord", age=16, when=dt.datetime(2026, 11, 25, 15, 0))
    assert [r["open"] for r in rows] == sorted((r["open"] for r in rows), key=lambda o: {True: 0, None: 1, False: 2}[o])
    assert "leve" in [r["id"] for r in rows]


def test_finder_widget_filters_on_the_learners_choices(session) -> None:
    from widgets.content import load_course
    from widgets.finder import HelplineFinder

    finder = HelplineFinder(load_course().helplines)
    assert len(finder.results) == len(finder.services) and finder.when_text
    assert "rus" in finder.needs and all(s["source"] and s["checked"] for s in finder.services)
    send(finder, type="filter", need="vold", age="12", channel="chat", when="2026-12-24T20:00", only_open=True)
    assert [r["id"] for r in finder.results] == ["alarmtelefonen"]
    assert finder.when_text == "torsdag 24. desember 2026 kl. 20:00"
    send(finder, type="filter", need="vold", age="12", channel="chat", when="2026-12-24T23:30", only_open=True)
    assert finder.results == []
    send(finder, type="filter", need="", age="", channel="phone", when="2026-12-25T12:00", only_open=True)
    assert "(1. juledag)" in finder.when_text and "rusinfo" not in [r["id"] for r in finder.results]
    before = list(finder.results)
    send(finder, type="filter", age="tolv", when="now")
    assert "helt tall" in finder.error and finder.results == before
    send(finder, type="filter", when="mangler")
    assert "dato og klokkeslett" in finder.error
    send(finder, type="filter", when="2026-02-30T10:00")
    assert "finnes ikke" in finder.error


def test_weekday_time_places_a_scenarios_day_and_time_in_an_ordinary_week(directory: dict) -> None:
    wednesday = hl.weekday_time("wed", "21:40")
    assert wednesday.weekday() == 2 and (wednesday.hour, wednesday.minute) == (21, 40)
    assert hl.holiday_name(wednesday.date()) is None and wednesday.tzinfo is hl.OSLO
    assert hl.open_channels(directory["alarmtelefonen"], hl.weekday_time("sat", "23:00")) == ["phone", "chat"]
    assert hl.open_channels(directory["alarmtelefonen"], hl.weekday_time("sun", "23:00")) == ["phone"]
    assert hl.holiday_name(hl.weekday_time("hol", "12:00").date()) == "Kristi himmelfartsdag"
    assert hl.is_open(directory["rusinfo"], hl.weekday_time("hol", "12:00")) is False
