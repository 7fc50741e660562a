"""Quiz: single choice, multiple choice and true/false items, with feedback per option, an explanation and retry."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget
from ._markdown import to_html

TRUE_FALSE_OPTIONS = ("Sant", "Usant")


def normalise_item(item: dict[str, Any]) -> dict[str, Any]:
    """A quiz item with its options spelled out (true/false items get «Sant» and «Usant»)."""
    if item["type"] == "true_false":
        options = [
            {"text": TRUE_FALSE_OPTIONS[0], "correct": item["answer"] is True, "feedback": item["feedback_true"]},
            {"text": TRUE_FALSE_OPTIONS[1], "correct": item["answer"] is False, "feedback": item["feedback_false"]},
        ]
    else:
        options = [{"text": o["text"], "correct": bool(o.get("correct")), "feedback": o["feedback"]} for o in item["options"]]
    return {**item, "options": options}


def grade(item: dict[str, Any], selected: list[int]) -> dict[str, Any]:
    """Grade one answer: right or wrong, the feedback for each chosen option, and the explanation.

    ``item`` is normalised (:func:`normalise_item`); ``selected`` are option indices.
    """
    options = item["options"]
    chosen = sorted({i for i in selected if isinstance(i, int) and 0 <= i < len(options)})
    if not chosen:
        raise ValueError("Velg et svar først.")
    if item["type"] != "multiple" and len(chosen) > 1:
        raise ValueError("Dette spørsmålet har bare ett riktig svar.")
    right = {i for i, o in enumerate(options) if o["correct"]}
    correct = set(chosen) == right
    return {
        "correct": correct,
        "selected": chosen,
        "feedback": [{"option": i, "text": options[i]["feedback"], "correct": options[i]["correct"]} for i in chosen],
        "explanation_html": to_html(item["explanation"]),
        "missed": len(right - set(chosen)) if item["type"] == "multiple" else 0,
    }


class Quiz(TryggeWidget):
    """All of a theme's quiz items on one page; each can be checked and tried again.

    Parameters
    ----------
    theme_id:
        Used in event ids (``<theme>/quiz/<item>``).
    items:
        Quiz items as in ``quiz.yaml``.
    """

    _front_end = "quiz"

    items = t.List(t.Dict(), help="What the browser shows: prompt, type and option texts (no answers).").tag(sync=True)
    results = t.Dict(help="Per item id: the graded answer, once checked.").tag(sync=True)

    def __init__(self, theme_id: str, items: list[dict[str, Any]], **kwargs: Any) -> None:
        self.theme_id = theme_id
        self._items = {i["id"]: normalise_item(i) for i in items}
        public = [
            {"id": i["id"], "type": i["type"], "prompt_html": to_html(i["prompt"]),
             "options": [o["text"] for o in i["options"]]}
            for i in self._items.values()
        ]
        super().__init__(items=public, **kwargs)
        self._attempted: set[str] = set()
        self._completed = False

    @property
    def score(self) -> int:
        return sum(1 for r in self.results.values() if r["correct"])

    def on_answer(self, content: dict[str, Any]) -> None:
        item = self._items.get(str(content.get("item")))
        if item is None:
            return
        raw = content.get("selected")
        try:
            graded = grade(item, list(raw) if isinstance(raw, list) else [])
        except ValueError as exc:
            self.results = {**self.results, item["id"]: {"error": str(exc)}}
            return
        first_try = item["id"] not in self._attempted
        self._attempted.add(item["id"])
        self.results = {**self.results, item["id"]: graded}
        self.session.emit(
            "answered", f"{self.theme_id}/quiz/{item['id']}", "quiz-item",
            {"success": graded["correct"], "response": [chr(97 + i) for i in graded["selected"]],
             "score": {"raw": int(graded["correct"]), "max": 1}, "first_attempt": first_try},
        )
        answered = [r for r in self.results.values() if "correct" in r]
        if len(answered) == len(self._items) and not self._completed:
            self._completed = True
            self.session.emit("completed", f"{self.theme_id}/quiz", "quiz",
                              {"score": {"raw": self.score, "max": len(self._items)}})
            self.session.mark_done(self.theme_id, "quiz")

    def on_retry(self, content: dict[str, Any]) -> None:
        item_id = str(content.get("item"))
        if item_id in self.results:
            self.results = {k: v for k, v in self.results.items() if k != item_id}
