"""`trygge validate --report`: per theme, how much content there is and how readable it is (LIX).

LIX (Björnsson's läsbarhetsindex) = words per sentence + 100 × share of words longer than six letters. Below 30 is
very easy, 30–40 easy, 40–50 medium (ordinary newspaper text), above 50 hard. The goal for body text here is ≤ 45;
sections above it are reported, not hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .content import Course, Theme

LIX_GOAL = 45.0
CHANNEL_NB = {"chat": "chat", "phone": "telefon"}
_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜüÖöÄä]+(?:-[A-Za-zÆØÅæøå]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)|\n\s*\n|\n\s*[-*]\s")


def lix(texts: Iterable[str]) -> float | None:
    """The LIX of a body of text (``None`` if it has no words)."""
    text = "\n\n".join(t for t in texts if t)
    words = _WORD.findall(text)
    if not words:
        return None
    sentences = max(1, len(_SENTENCE_END.findall(text)) + (0 if re.search(r"[.!?]\s*$", text) else 1))
    long_words = sum(1 for w in words if len(w.replace("-", "")) > 6)
    return len(words) / sentences + 100 * long_words / len(words)


def _situation(item: dict[str, Any]) -> bool:
    return bool(re.search(r"[«\"“].+[»\"”]", item["prompt"]))


def learner_texts(theme: Theme) -> dict[str, list[str]]:
    """The learner-facing text of a theme, by part."""
    quiz = []
    for item in theme.quiz:
        quiz += [item["prompt"], item["explanation"], item.get("feedback_true", ""), item.get("feedback_false", "")]
        quiz += [o["text"] for o in item.get("options", [])] + [o["feedback"] for o in item.get("options", [])]
    scenarios = []
    for sc in theme.scenarios.values():
        scenarios.append(sc["description"])
        for node in sc["nodes"].values():
            scenarios += node["say"] + [c.get("feedback", "") for c in node.get("choices", [])]
    films = [step["say"] for film in theme.films for step in film.get("script", [])]
    return {
        "intro og mål": [theme.intro, *theme.goals],
        "filmer (tale)": films,
        "quiz": quiz,
        "refleksjon og øvelser": [t["prompt"] for t in theme.tasks] + [s for t in theme.tasks for s in t.get("steps", [])],
        "scenarier": scenarios,
    }


def theme_report(theme: Theme) -> dict[str, Any]:
    """Counts and LIX per part for one ready theme."""
    types = [i["type"] for i in theme.quiz]
    return {
        "id": theme.id,
        "title": theme.title,
        "goals": len(theme.goals),
        "films": len(theme.films),
        "films_complete": sum(1 for f in theme.films if f.get("captions") and f.get("described") and f.get("transcript")),
        "quiz": len(types),
        "quiz_types": {t: types.count(t) for t in ("single", "multiple", "true_false")},
        "quiz_situations": sum(1 for i in theme.quiz if _situation(i)),
        "scenarios": len(theme.scenarios),
        "scenario_channels": sorted({s["channel"] for s in theme.scenarios.values()}),
        "reflections": sum(1 for t in theme.tasks if t["kind"] == "reflection"),
        "exercises": sum(1 for t in theme.tasks if t["kind"] == "exercise"),
        "group_exercises": sum(1 for t in theme.tasks if t["kind"] == "exercise" and t["mode"] in ("group", "both")),
        "sources": len(theme.sources),
        "confidence_statements": len(theme.confidence.get("statements", [])),
        "referrals": len(theme.referrals),
        "lix": {part: lix(texts) for part, texts in learner_texts(theme).items()},
    }


def format_report(course: Course) -> str:
    """The report as text for the terminal (Norwegian)."""
    lines = [f"{course.title} {course.version}: innhold per tema", ""]
    for theme in course.themes:
        if not theme.ready:
            lines.append(f"{theme.order}. {theme.title} ({theme.id}): planlagt, ikke skrevet ennå")
            lines.append("")
            continue
        r = theme_report(theme)
        q = r["quiz_types"]
        lines += [
            f"{theme.order}. {r['title']} ({r['id']})",
            f"   læringsmål: {r['goals']} · filmer: {r['films']} ({r['films_complete']} med teksting, synstolking og "
            f"tekstversjon) · trygghetspåstander: {r['confidence_statements']}",
            f"   quiz: {r['quiz']} ({q['single']} ett svar, {q['multiple']} flere svar, {q['true_false']} sant/usant; "
            f"{r['quiz_situations']} situasjoner)",
            f"   scenarier: {r['scenarios']} ({', '.join(CHANNEL_NB[c] for c in r['scenario_channels'])}) · "
            f"refleksjoner: {r['reflections']} · "
            f"øvelser: {r['exercises']} ({r['group_exercises']} i gruppe) · kilder: {r['sources']} · "
            f"henvisninger: {r['referrals']}",
            "   LIX: " + " · ".join(
                f"{part} {value:.0f}{' (over ' + str(int(LIX_GOAL)) + ')' if value > LIX_GOAL else ''}"
                for part, value in r["lix"].items() if value is not None),
            "",
        ]
    return "\n".join(lines)
