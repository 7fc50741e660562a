"""The scripted persona engine: walks a scenario graph, turn by turn, and gives feedback on each learner turn.

The engine is offline and deterministic for a given seed. It never sees who the learner is; the text it receives is
already scrubbed. A language model can stand in for the caller's *words* (:mod:`.llm`), but the engine still decides
where the conversation goes (nodes, state, ends), so feedback and endings are the same in both modes.

Per turn the engine

1. labels the learner's reply (a suggested reply carries its authored labels; free text goes to the coach),
2. finds the scenario's intents in it, plus the built-in ones about referral (``named_service``, ``referral_fits``,
   ``referral_unfit``),
3. moves the scenario's state (``trust`` always; others such as ``distress`` when the scenario declares them),
4. picks the next node (the suggested reply's ``next``, or the first free-text route whose ``when`` matches),
5. writes feedback: the reply's own feedback or the labels' feedback, a closed question rewritten as an open one,
   whether a named service fits and is open now, and a nudge to ask directly when the caller shows signs of suicide.
"""

from __future__ import annotations

import dataclasses
import operator
import random
import re
from typing import Any

from . import referral as referral_mod
from .coach import classify
from .rewrite import closed_questions, open_alternative

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
#: Labels that move the conversation forward, and those that set it back (the default effect on trust).
GOOD_LABELS = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}
POOR_LABELS = {"advice", "minimizing"}
#: The state every scenario has; a scenario may declare more (``state:``) and change these defaults.
DEFAULT_STATE: dict[str, dict[str, Any]] = {"trust": {"start": 0, "min": -10, "max": 10, "label": "Tillit"}}
DEFAULT_LABEL_EFFECTS: dict[str, dict[str, int]] = {
    **{label: {"trust": 1} for label in GOOD_LABELS}, **{label: {"trust": -2} for label in POOR_LABELS},
}
#: Intents every scenario can use in ``when`` without defining them.
BUILTIN_INTENTS: dict[str, str] = {
    "named_service": "nevnte en hjelpetjeneste fra katalogen",
    "referral_fits": "viste til en tjeneste som passer personen og er åpen nå",
    "referral_unfit": "viste til en tjeneste som ikke passer personen eller er stengt nå",
}
_COMPARE = re.compile(r"^\s*(<=|>=|==|!=|<|>)?\s*(-?\d+)\s*$")
_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}


def parse_condition(expression: str | int) -> tuple[str, int]:
    """«>= 2» → (">=", 2); a bare number means «at least». Raises ValueError on anything else."""
    if isinstance(expression, bool):
        raise ValueError(f"ugyldig betingelse {expression!r}")
    if isinstance(expression, int):
        return ">=", expression
    m = _COMPARE.match(str(expression))
    if not m:
        raise ValueError(f"ugyldig betingelse {expression!r} (skriv for eksempel «>= 2» eller «< 0»)")
    return m[1] or ">=", int(m[2])


def state_spec(scenario: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The scenario's state variables: ``trust`` plus those it declares, with start, min, max and a label."""
    spec = {name: dict(values) for name, values in DEFAULT_STATE.items()}
    for name, values in (scenario.get("state") or {}).items():
        spec[name] = {"start": 0, "min": -10, "max": 10, "label": name, **spec.get(name, {}), **values}
    return spec


def label_effects(scenario: dict[str, Any]) -> dict[str, dict[str, int]]:
    """How each label moves the state: the defaults, with the scenario's ``label_effects`` replacing per label."""
    return {**DEFAULT_LABEL_EFFECTS, **(scenario.get("label_effects") or {})}


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
    from_node: str = ""
    state: dict[str, int] = dataclasses.field(default_factory=dict)
    services: list[str] = dataclasses.field(default_factory=list)
    #: The scripted caller line (kept when a language model's reply is shown instead).
    scripted_reply: str = ""
    #: Who wrote ``reply``: "script" or "llm".
    reply_source: str = "script"

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ScenarioEnded(RuntimeError):
    """A turn was given after the scenario had already ended."""


class ScriptedEngine:
    """Runs one scenario.

    Parameters
    ----------
    scenario:
        A validated scenario (see ``docs/scenarios.md``).
    seed:
        Seed for the choice among the caller's line variants (``None``: random).
    lang:
        Language the coach reads the learner's text in.
    helplines:
        The help-line directory for referral checks (default: the course's ``data/helplines.yaml``).
    """

    def __init__(self, scenario: dict[str, Any], seed: int | None = None, lang: str = "nb",
                 helplines: list[dict[str, Any]] | None = None) -> None:
        self.scenario = scenario
        self.lang = lang
        self.helplines = referral_mod.helplines() if helplines is None else helplines
        self._rng = random.Random(seed)
        self.node_id: str = scenario["start"]
        self.turns: list[Turn] = []
        self.spec = state_spec(scenario)
        self.effects = label_effects(scenario)
        self.state: dict[str, int] = {name: int(values["start"]) for name, values in self.spec.items()}
        self.state_history: list[dict[str, int]] = [dict(self.state)]
        self._opening: str | None = None
        self._intent_rx = {
            name: re.compile("|".join(f"(?:{p})" for p in spec["regex"]), re.IGNORECASE)
            for name, spec in (scenario.get("intents") or {}).items() if spec.get("regex")
        }

    @property
    def trust(self) -> int:
        return self.state["trust"]

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

    def history(self) -> list[tuple[str, str]]:
        """The conversation so far as (who, text): ``caller`` / ``learner``."""
        out = [("caller", self.opening())]
        for turn in self.turns:
            out += [("learner", turn.text), ("caller", turn.reply)]
        return out

    def _say(self, node: dict[str, Any]) -> str:
        return self._rng.choice(node["say"])

    # -- what the learner said -------------------------------------------------------------------------------------
    def intents(self, text: str) -> tuple[list[str], list[str]]:
        """The scenario's intents found in ``text`` (substrings, or regex), then the built-in referral intents.

        Returns (intents, the services named).
        """
        lowered = text.lower()
        found = []
        for name, spec in (self.scenario.get("intents") or {}).items():
            if any(pattern.lower() in lowered for pattern in spec.get("patterns", [])) or (
                    name in self._intent_rx and self._intent_rx[name].search(text)):
                found.append(name)
        services = referral_mod.services_named(text, self.helplines)
        if services:
            by_id = {s["id"]: s for s in self.helplines}
            verdicts = [referral_mod.judge(by_id[sid], self.scenario) for sid in services]
            extra = ["named_service"]
            if any(v.ok for v in verdicts):
                extra.append("referral_fits")
            if any(not v.ok for v in verdicts):
                extra.append("referral_unfit")
            found += [name for name in extra if name not in found]
        return found, services

    def _matches(self, when: dict[str, Any], found: set[str], state: dict[str, int]) -> bool:
        if "any" in when and not found.intersection(when["any"]):
            return False
        if "all" in when and not set(when["all"]) <= found:
            return False
        if "none" in when and found.intersection(when["none"]):
            return False
        for name, expression in (when.get("state") or {}).items():
            op, value = parse_condition(expression)
            if not _OPS[op](state.get(name, 0), value):
                return False
        return True

    def _moved(self, effects: list[dict[str, int]]) -> dict[str, int]:
        state = dict(self.state)
        for effect in effects:
            for name, delta in effect.items():
                if name in self.spec:
                    limits = self.spec[name]
                    state[name] = max(int(limits["min"]), min(int(limits["max"]), state[name] + int(delta)))
        return state

    # -- a turn ----------------------------------------------------------------------------------------------------
    def respond(self, text: str, choice: int | None = None) -> Turn:
        """Take one learner turn: a suggested reply (``choice`` index) or free ``text`` (already scrubbed)."""
        if self.ended:
            raise ScenarioEnded("Samtalen er allerede avsluttet.")
        self.opening()
        node = self.node
        from_node = self.node_id
        specific: list[str] = []
        if choice is not None:
            options = node.get("choices", [])
            if not 0 <= choice < len(options):
                raise IndexError(f"Svaralternativ {choice} finnes ikke her (det er {len(options)}).")
            step = options[choice]
            text = step["text"]
            labels = list(step["labels"])
            intents, services = self.intents(text)
            by_labels = self._moved([self.effects.get(label, {}) for label in labels])
        else:
            labels = classify(text, self.lang)
            intents, services = self.intents(text)
            found = set(labels) | set(intents)
            by_labels = self._moved([self.effects.get(label, {}) for label in labels])
            step = next((r for r in node["routes"] if self._matches(r.get("when", {}), found, by_labels)),
                        node["routes"][-1])
        if step.get("feedback"):
            specific.append(step["feedback"])
        # A step with its own state effect says exactly how the state moves; otherwise the labels decide.
        self.state = self._moved([step["state"]]) if "state" in step else by_labels
        self.state_history.append(dict(self.state))
        feedback = self._feedback(text, labels, services, specific, from_node, choice is not None)
        self.node_id = step["next"]
        reply = self._say(self.node)
        turn = Turn(text=text, labels=labels, intents=intents, feedback=feedback, reply=reply, node=self.node_id,
                    ended=self.ended, end=self.end, chosen=choice is not None, from_node=from_node,
                    state=dict(self.state), services=services, scripted_reply=reply)
        self.turns.append(turn)
        return turn

    def asked_about_suicide(self) -> bool:
        return any("suicide_question" in t.labels for t in self.turns)

    def _feedback(self, text: str, labels: list[str], services: list[str], specific: list[str], from_node: str,
                  chosen: bool) -> list[str]:
        """Feedback on one turn: the reply's own feedback, or the labels' feedback made specific to the words."""
        feedback = list(specific)
        if not specific or not chosen:
            for label in labels:
                line = LABEL_FEEDBACK[label]
                if label == "closed_question":
                    if "suicide_question" in labels:
                        continue  # a yes/no question is the right way to ask about suicide
                    line = self._closed_feedback(text)
                elif label == "advice" and not chosen:
                    line = self._advice_feedback(text)
                elif label == "referral" and services:
                    continue  # said below, per service
                if line not in feedback:
                    feedback.append(line)
        by_id = {s["id"]: s for s in self.helplines}
        for sid in services:
            verdict = referral_mod.judge(by_id[sid], self.scenario)
            line = referral_mod.verdict_line(verdict, self.scenario)
            feedback.append(("Godt valg: " if verdict.ok else "Sjekk henvisningen: ") + line)
        node = self.scenario["nodes"][from_node]
        if "suicide" in node.get("signs", []) and "suicide_question" not in labels and not self.asked_about_suicide():
            alias = self.scenario["persona"]["alias"]
            feedback.append(f"{alias} sa noe som kan være et tegn på selvmordstanker. Spør direkte, for eksempel: "
                            "«Jeg spør fordi jeg bryr meg: tenker du på å ta livet ditt?»")
        if not labels and not feedback:
            feedback.append(NO_LABEL_FEEDBACK)
        return feedback

    def _closed_feedback(self, text: str) -> str:
        questions = closed_questions(text)
        if not questions:
            return LABEL_FEEDBACK["closed_question"]
        # The closed one is usually the last question asked; rewrite that one.
        question = questions[-1]
        alternative = open_alternative(question, self.lang)
        return (f"Du stilte et lukket spørsmål («{question}»), som ofte gir et kort ja eller nei. "
                f"Et åpent spørsmål kunne vært: «{alternative}»")

    @staticmethod
    def _advice_feedback(text: str) -> str:
        short = text if len(text) <= 90 else text[:87].rstrip() + " …"
        return (f"Du ga råd («{short}») før personen ba om det. Utforsk heller hva personen selv tenker: "
                "«Hva har du selv tenkt kunne hjelpe?»")

    def summary(self) -> dict[str, Any]:
        """Counts, ratios against MITI thresholds, safety, referral, must-dos and the turns to look at again."""
        from .feedback import summarise

        return summarise(self.scenario, self.turns, self.end, helplines=self.helplines,
                         state_history=self.state_history, spec=self.spec)
