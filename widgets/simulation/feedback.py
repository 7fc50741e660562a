"""The end-of-conversation summary and the learner's transcript.

The summary holds the conversation against the thresholds we use (saying which, as CONTENT.md asks):

- reflection-to-question ratio, MITI 4.2: fair 1:1, good 2:1;
- share of open questions, MITI 3.1.1 (MITI 4 dropped this score; 3.1.1 is still used as a guide): fair ≥ 50 %,
  good ≥ 70 %;

and checks what a crisis line needs: asked directly about suicide when the signs were there (scenario
``risks: [suicide]``, and nodes with ``signs: [suicide]``), explored safety or made a plan, referred to a service
that fits the caller's need and age and is open at the scenario's day and time; plus the scenario's must-dos and
the turns where the learner minimised or rushed to advice, quoted.
"""

from __future__ import annotations

from typing import Any

from . import referral as referral_mod
from .engine import BUILTIN_INTENTS, END_TITLES, Turn

MITI_RQ = {"fair": 1.0, "good": 2.0}
MITI_OPEN = {"fair": 0.5, "good": 0.7}
LABEL_NAMES: dict[str, str] = {
    "open_question": "Åpne spørsmål",
    "closed_question": "Lukkede spørsmål",
    "reflection": "Refleksjoner",
    "affirmation": "Anerkjennelse",
    "summary": "Oppsummeringer",
    "suicide_question": "Spurte direkte om selvmord",
    "advice": "Råd uten at det ble bedt om",
    "minimizing": "Bagatellisering",
    "referral": "Viste videre",
    "safety_planning": "Sikkerhetsplan",
}
#: One label as the learner reads it in a list («Coachen merket: åpent spørsmål, refleksjon»).
LABEL_SINGULAR: dict[str, str] = {
    "open_question": "åpent spørsmål",
    "closed_question": "lukket spørsmål",
    "reflection": "refleksjon",
    "affirmation": "anerkjennelse",
    "summary": "oppsummering",
    "suicide_question": "spurte direkte om selvmord",
    "advice": "råd",
    "minimizing": "bagatellisering",
    "referral": "viste videre",
    "safety_planning": "sikkerhet",
}
LEVEL_NAMES = {"good": "god", "fair": "akseptabel", "low": "under terskel", "none": "ingen spørsmål"}


def _level(value: float | None, thresholds: dict[str, float]) -> str:
    if value is None:
        return LEVEL_NAMES["none"]
    if value >= thresholds["good"]:
        return LEVEL_NAMES["good"]
    if value >= thresholds["fair"]:
        return LEVEL_NAMES["fair"]
    return LEVEL_NAMES["low"]


def _quote(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 2].rstrip() + " …"


def summarise(scenario: dict[str, Any], turns: list[Turn], end: str | None, *,
              helplines: list[dict[str, Any]] | None = None, state_history: list[dict[str, int]] | None = None,
              spec: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The summary of one run (JSON-ready): numbers for the chart and ``lines`` of text, in Norwegian."""
    from .coach import LABELS

    helplines = referral_mod.helplines() if helplines is None else helplines
    alias = scenario["persona"]["alias"]
    counts = {label: sum(label in t.labels for t in turns) for label in LABELS}
    questions = counts["open_question"] + counts["closed_question"]
    rq = counts["reflection"] / questions if questions else None
    open_share = counts["open_question"] / questions if questions else None
    checks: list[dict[str, Any]] = []

    def check(ok: bool | None, text: str, kind: str) -> None:
        checks.append({"ok": ok, "text": text, "kind": kind})

    # -- suicide: asked directly when the signs were there -------------------------------------------------------
    risks = scenario.get("risks", [])
    sign_turns = [i for i, t in enumerate(turns) if "suicide" in scenario["nodes"][t.from_node].get("signs", [])]
    asked = [i for i, t in enumerate(turns) if "suicide_question" in t.labels]
    if "suicide" in risks or sign_turns:
        if asked:
            i = asked[0]
            check(True, f"Du spurte direkte om selvmordstanker (tur {i + 1}: «{_quote(turns[i].text)}»).", "suicide")
            if sign_turns and asked[-1] < sign_turns[0]:
                check(False, f"Tegnene kom senere i samtalen (tur {sign_turns[0] + 1}). Når noe nytt kommer fram, "
                             "spør gjerne igjen.", "suicide")
        else:
            where = f" (tur {sign_turns[0] + 1})" if sign_turns else ""
            check(False, f"Du spurte ikke direkte om selvmordstanker, selv om tegnene var der{where}. "
                         "Spør direkte, for eksempel: «Tenker du på å ta livet ditt?» Det øker ikke faren.", "suicide")
    # -- safety --------------------------------------------------------------------------------------------------
    safety = [i for i, t in enumerate(turns) if "safety_planning" in t.labels]
    if "suicide" in risks or "safety_planning" in scenario.get("must_do", []) or safety:
        if end == "safety_plan" and safety:
            check(True, f"Du utforsket sikkerhet (tur {safety[0] + 1}: «{_quote(turns[safety[0]].text)}»), og dere "
                        "kom fram til en plan.", "safety")
        elif end == "safety_plan":
            check(True, "Dere kom fram til en plan for å holde personen trygg.", "safety")
        elif safety:
            check(True, f"Du utforsket sikkerhet (tur {safety[0] + 1}: «{_quote(turns[safety[0]].text)}»).", "safety")
        else:
            check(False, "Du utforsket ikke sikkerhet: hva som kan hjelpe, hvem som kan være der, hvor hjelpen er. "
                         "Spør for eksempel: «Hva kan hjelpe deg å komme gjennom natten?»", "safety")
    # -- referral ------------------------------------------------------------------------------------------------
    by_id = {s["id"]: s for s in helplines}
    named: list[str] = []
    for t in turns:
        for sid in t.services:
            if sid not in named:
                named.append(sid)
    day_assumed = "day" not in scenario
    verdicts = [referral_mod.judge(by_id[sid], scenario) for sid in named if sid in by_id]
    for v in verdicts:
        check(v.ok, referral_mod.verdict_line(v, scenario), "referral")
    wants_referral = "referral" in scenario.get("must_do", []) or bool(scenario.get("referral"))
    fitting = referral_mod.fitting_services(scenario, helplines)
    if wants_referral and not verdicts:
        text = "Du viste ikke videre."
        if fitting:
            text += " Her ville dette passet: " + ", ".join(s["name"] for s in fitting) + "."
        why = (scenario.get("referral") or {}).get("why")
        if why:
            text += f" {why.strip()}"
        check(False, text, "referral")
    elif verdicts and not any(v.ok for v in verdicts) and fitting:
        check(None, "Dette ville passet bedre: " + ", ".join(s["name"] for s in fitting) + ".", "referral")
    if verdicts and day_assumed:
        check(None, f"Scenarioet sier ikke hvilken dag det er, så åpningstidene er sjekket for en vanlig hverdag "
                    f"({referral_mod.DAY_NAMES[referral_mod.DEFAULT_DAY]}) kl. {scenario['time']}.", "referral")
    # -- must-dos (labels or intents) ----------------------------------------------------------------------------
    must = scenario.get("must_do", [])
    intents = scenario.get("intents") or {}
    must_done = {item: any(item in t.labels or item in t.intents for t in turns) for item in must}
    for item, done in must_done.items():
        name = LABEL_NAMES.get(item) or (intents.get(item) or {}).get("description") or BUILTIN_INTENTS.get(item, item)
        check(done, name + ("" if done else " – dette manglet i samtalen."), "must_do")
    # -- advice and minimising, quoted; advice before exploring --------------------------------------------------
    revisit = [
        {"turn": i + 1, "text": t.text, "labels": [label for label in t.labels if label in ("advice", "minimizing")]}
        for i, t in enumerate(turns)
        if {"advice", "minimizing"} & set(t.labels)
    ]
    explored_before = False
    rushed = None
    for i, t in enumerate(turns):
        if "advice" in t.labels and not explored_before:
            rushed = i
            break
        if {"open_question", "reflection", "summary"} & set(t.labels):
            explored_before = True
    # -- state ---------------------------------------------------------------------------------------------------
    states = []
    if state_history and spec:
        for name, values in spec.items():
            series = [s[name] for s in state_history]
            states.append({"name": name, "label": values.get("label", name), "start": series[0], "end": series[-1],
                           "min": values["min"], "max": values["max"], "series": series})

    lines = [END_TITLES.get(end or "", "Samtalen ble ikke avsluttet.")]
    if rq is not None:
        decimal = f"{rq:.1f}".replace(".", ",")  # Norwegian decimal comma
        lines.append(f"Refleksjoner per spørsmål: {decimal} ({_level(rq, MITI_RQ)}; MITI 4.2: 1:1 akseptabel, 2:1 god).")
        lines.append(f"Andel åpne spørsmål: {round(open_share * 100)} % ({_level(open_share, MITI_OPEN)}; "
                     "MITI 3.1.1: 50 % akseptabel, 70 % god).")
    else:
        lines.append("Du stilte ingen spørsmål. Åpne spørsmål hjelper personen å fortelle.")
    for c in checks:
        mark = {True: "✓", False: "✗", None: "•"}[c["ok"]]
        lines.append(f"{mark} {c['text']}")
    if rushed is not None:
        lines.append(f"Tur {rushed + 1}: du ga råd før du hadde utforsket hva {alias} selv tenker. "
                     "Still et åpent spørsmål eller speil først.")
    for item in revisit:
        lines.append(f"Tur {item['turn']}: «{_quote(item['text'])}» – "
                     + " og ".join(LABEL_NAMES[label].lower() for label in item["labels"]) + ".")
    for s in states:
        if s["end"] != s["start"]:
            lines.append(f"{s['label']}: {s['start']} → {s['end']} (fra {s['min']} til {s['max']}).")
    return {
        "end": end,
        "turns": len(turns),
        "counts": counts,
        "reflection_to_question": rq,
        "open_question_share": open_share,
        "rq_level": _level(rq, MITI_RQ),
        "open_level": _level(open_share, MITI_OPEN),
        "thresholds": {"rq": MITI_RQ, "open": MITI_OPEN},
        "must_do": must_done,
        "asked_about_suicide": bool(asked) if ("suicide" in risks or sign_turns) else None,
        "explored_safety": bool(safety) or end == "safety_plan",
        "referrals": [v.as_dict() for v in verdicts],
        "day_assumed": day_assumed,
        "checks": checks,
        "revisit": revisit,
        "rushed_to_advice": None if rushed is None else rushed + 1,
        "state": states,
        "lines": lines,
        "label_names": LABEL_NAMES,
    }


def transcript_markdown(scenario: dict[str, Any], opening: str, turns: list[Turn], summary: dict[str, Any] | None,
                        *, mode_note: str = "") -> str:
    """The learner's own copy of the conversation with the coach's feedback and the summary, as Markdown.

    Everything the learner wrote was scrubbed when it arrived; the whole text is scrubbed once more here, so nothing
    personal leaves the kernel in a download (the persona's alias is kept).
    """
    from ..scrub import scrub

    persona = scenario["persona"]
    alias = persona["alias"]
    channel = {"chat": "Chat", "phone": "Telefon (skriftlig øving)"}.get(scenario["channel"], scenario["channel"])
    out = [
        f"# Øvingssamtale: {scenario['title']}",
        "",
        "Trygge samtaler – en øvingssamtale med en oppdiktet person, bare for trening. "
        "Trenger du hjelp selv: ring 116 123. Ved akutt fare: ring 113.",
        "",
        f"{channel} · kl. {scenario['time']} · {alias}, {persona['age']} år" + (f" · {mode_note}" if mode_note else ""),
        "",
        "## Samtalen",
        "",
        f"**{alias}:** {opening}",
        "",
    ]
    for number, turn in enumerate(turns, start=1):
        out.append(f"**Du** (tur {number}{', valgt forslag' if turn.chosen else ''}): {turn.text}")
        out.append("")
        if turn.labels:
            out.append("> Coachen merket: " + ", ".join(LABEL_SINGULAR[label] for label in turn.labels))
        for line in turn.feedback:
            out.append(f"> - {line}")
        out.append("")
        out.append(f"**{alias}:** {turn.reply}")
        out.append("")
    if summary and summary.get("lines"):
        out += ["## Oppsummering", ""] + [f"- {line}" for line in summary["lines"]] + [""]
        counts = summary.get("counts", {})
        if counts:
            out += ["| Ferdighet | Antall |", "|---|---|"]
            out += [f"| {LABEL_NAMES[label]} | {n} |" for label, n in counts.items()] + [""]
    return scrub("\n".join(out), keep=[alias])
