"""The scripted persona engine: walks a scenario graph, turn by turn, and gives feedback on each learner turn.

The engine is offline and deterministic for a given seed. It never sees who the learner is; the text it receives is
already scrubbed. A later persona (a language model) can stand in for the caller's lines, but the coach and the
feedback stay these.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from .coach import classify

#: Short, kind, specific feedback for each label (Norwegian, second person).
LABEL_FEEDBACK: dict[str, str] = {
    "open_question": "Du stilte et åpent spørsmål. Det inviterer personen til å fortelle med egne ord.",
    "closed_question": "Du stilte et lukket spørsmål (svar ja/nei). Et åpent spørsmål kunne vært: «Hvordan er det for deg?»",
    "reflection": "Du speilet det personen sa. Det viser at du lytter, og gir rom for å si mer.",
    "affirmation": "Du anerkjente personen. Det bygger tillit.",
    "summary": "Du oppsummerte. Det hjelper dere begge å se helheten og gå videre.",
    "suicide_question": "Du spurte direkte om selvmordstanker. Det er riktig: å spørre åpner for å snakke om det, og øker ikke faren.",
    "advice": "Du ga råd som personen ikke ba om. Utforsk heller hva personen selv tenker: «Hva har du selv tenkt kunne hjelpe?»",
    "minimizing": "Dette kan oppleves som at du gjør problemet mindre. Anerkjenn heller: «Det høres virkelig tungt ut.»",
    "referral": "Du viste videre. Sjekk at tjenesten passer personens behov og alder, og at den er åpen nå.",
    "safety_planning": "Du utforsket hva som kan hjelpe og hvem som kan være der. Det er kjernen i en sikkerhetsplan.",
}
NO_LABEL_FEEDBACK = (
    "Coachen fant ikke et spørsmål eller en refleksjon her. Prøv et åpent spørsmål («Hva tenker du om …?») "
    "eller å speile det personen sa («Det høres ut som …»)."
)
END_TITLES: dict[str, str] = {
    "safety_plan": "Dere laget en plan for å holde personen trygg.",
    "referred": "Personen fikk vite om et sted å få videre hjelp.",
    "good_close": "Samtalen ble avsluttet på en god måte.",
    "caller_left": "Personen avsluttet samtalen.",
}
#: Labels that move the conversation forward, and those that set it back (for trust).
GOOD_LABELS = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}
POOR_LABELS = {"advice", "minimizing"}


@dataclasses.dataclass
class Turn:
    """One learner turn and what came of it."""

    text: str
    labels: list[str]
    intents: list[str]
    feedback: list[str]
    reply: str
    node: str
    ended: bool = False
    end: str | None = None
    chosen: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ScenarioEnded(RuntimeError):
    """A turn was given after the scenario had already ended."""


class ScriptedEngine:
    """Runs one scenario.

    Parameters
    ----------
    scenario:
        A validated scenario (see ``docs/architecture.md``).
    seed:
        Seed for the choice among the caller's line variants (``None``: random).
    lang:
        Language the coach reads the learner's text in.
    """

    def __init__(self, scenario: dict[str, Any], seed: int | None = None, lang: str = "nb") -> None:
        self.scenario = scenario
        self.lang = lang
        self._rng = random.Random(seed)
        self.node_id: str = scenario["start"]
        self.turns: list[Turn] = []
        self.trust = 0
        self._opening: str | None = None

    @property
    def node(self) -> dict[str, Any]:
        return self.scenario["nodes"][self.node_id]

    @property
    def ended(self) -> bool:
        return "end" in self.node

    @property
    def end(self) -> str | None:
        return self.node.get("end")

    def opening(self) -> str:
        """The caller's first line (picked once)."""
        if self._opening is None:
            self._opening = self._say(self.node)
        return self._opening

    def choices(self) -> list[str]:
        """The suggested replies at this point (empty at an end)."""
        return [c["text"] for c in self.node.get("choices", [])]

    def _say(self, node: dict[str, Any]) -> str:
        return self._rng.choice(node["say"])

    def _intents(self, text: str) -> list[str]:
        lowered = text.lower()
        return [
            name
            for name, spec in self.scenario.get("intents", {}).items()
            if any(pattern.lower() in lowered for pattern in spec["patterns"])
        ]

    @staticmethod
    def _matches(when: dict[str, list[str]], found: set[str]) -> bool:
        if "any" in when and not found.intersection(when["any"]):
            return False
        if "all" in when and not set(when["all"]) <= found:
            return False
        return not ("none" in when and found.intersection(when["none"]))

    def respond(self, text: str, choice: int | None = None) -> Turn:
        """Take one learner turn: a suggested reply (``choice`` index) or free ``text`` (already scrubbed)."""
        if self.ended:
            raise ScenarioEnded("Samtalen er allerede avsluttet.")
        node = self.node
        specific: list[str] = []
        if choice is not None:
            options = node.get("choices", [])
            if not 0 <= choice < len(options):
                raise IndexError(f"Svaralternativ {choice} finnes ikke her (det er {len(options)}).")
            picked = options[choice]
            text = picked["text"]
            labels = list(picked["labels"])
            intents = self._intents(text)
            target = picked["next"]
            if picked.get("feedback"):
                specific.append(picked["feedback"])
        else:
            labels = classify(text, self.lang)
            intents = self._intents(text)
            found = set(labels) | set(intents)
            route = next(r for r in node["routes"] if self._matches(r.get("when", {}), found))
            target = route["next"]
            if route.get("feedback"):
                specific.append(route["feedback"])
        self.trust += sum(1 for l in labels if l in GOOD_LABELS) - 2 * sum(1 for l in labels if l in POOR_LABELS)
        feedback = specific + [LABEL_FEEDBACK[l] for l in labels if LABEL_FEEDBACK[l] not in specific]
        if not labels and not specific:
            feedback.append(NO_LABEL_FEEDBACK)
        self.node_id = target
        turn = Turn(text=text, labels=labels, intents=intents, feedback=feedback, reply=self._say(self.node),
                    node=target, ended=self.ended, end=self.end, chosen=choice is not None)
        self.turns.append(turn)
        return turn

    def summary(self) -> dict[str, Any]:
        """Counts, ratios against MITI thresholds, must-dos and the turns to look at again."""
        from .feedback import summarise

        return summarise(self.scenario, self.turns, self.end)
