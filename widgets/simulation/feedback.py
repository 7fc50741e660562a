"""The end-of-conversation summary: counts, ratios held against MITI thresholds, must-dos, turns to revisit.

Thresholds used (say which, as CONTENT.md asks):
- reflection-to-question ratio, MITI 4.2: fair 1:1, good 2:1;
- share of open questions, MITI 3.1.1 (MITI 4 dropped this score; 3.1.1 is still used as a guide): fair ≥ 50 %,
  good ≥ 70 %.
"""

from __future__ import annotations

from typing import Any

from .engine import END_TITLES, Turn

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


def _level(value: float | None, thresholds: dict[str, float]) -> str:
    if value is None:
        return "ingen spørsmål"
    if value >= thresholds["good"]:
        return "god"
    if value >= thresholds["fair"]:
        return "akseptabel"
    return "under terskel"


def summarise(scenario: dict[str, Any], turns: list[Turn], end: str | None) -> dict[str, Any]:
    """The summary of one run (JSON-ready)."""
    from .coach import LABELS

    counts = {label: sum(label in t.labels for t in turns) for label in LABELS}
    questions = counts["open_question"] + counts["closed_question"]
    rq = counts["reflection"] / questions if questions else None
    open_share = counts["open_question"] / questions if questions else None
    must = scenario.get("must_do", [])
    must_done = {label: counts[label] > 0 for label in must}
    revisit = [
        {"turn": i + 1, "text": t.text, "labels": [l for l in t.labels if l in ("advice", "minimizing")]}
        for i, t in enumerate(turns)
        if {"advice", "minimizing"} & set(t.labels)
    ]
    lines = [END_TITLES.get(end or "", "Samtalen ble ikke avsluttet.")]
    if rq is not None:
        lines.append(f"Refleksjoner per spørsmål: {rq:.1f} ({_level(rq, MITI_RQ)}; MITI 4.2: 1:1 akseptabel, 2:1 god).")
        lines.append(f"Andel åpne spørsmål: {open_share:.0%} ({_level(open_share, MITI_OPEN)}; MITI 3.1.1: 50 % akseptabel, 70 % god).")
    else:
        lines.append("Du stilte ingen spørsmål. Åpne spørsmål hjelper personen å fortelle.")
    for label, done in must_done.items():
        lines.append(f"{'✓' if done else '✗'} {LABEL_NAMES[label]}" + ("" if done else " – dette manglet i samtalen."))
    for item in revisit:
        lines.append(f"Tur {item['turn']}: «{item['text']}» – " + " og ".join(LABEL_NAMES[l].lower() for l in item["labels"]) + ".")
    return {
        "end": end,
        "turns": len(turns),
        "counts": counts,
        "reflection_to_question": rq,
        "open_question_share": open_share,
        "rq_level": _level(rq, MITI_RQ),
        "open_level": _level(open_share, MITI_OPEN),
        "must_do": must_done,
        "revisit": revisit,
        "lines": lines,
        "label_names": LABEL_NAMES,
    }
