"""Scenarios as graphs: the checks `trygge validate` runs on every scenario file.

:func:`graph_problems` (dead ends, unreachable nodes, loops with no way out …), :func:`suicide_safety_problems` (CONTENT.md's
safety rules) and :func:`extension_problems` (the optional fields: state, state conditions, referral, regex intents,
must-dos that are intents). Messages are Norwegian: trainers read them.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from .coach import LABELS
from .engine import BUILTIN_INTENTS, parse_condition, state_spec

#: (JSON path inside the scenario file, message, hint) — turned into a Problem by the content checker.
GraphProblem = tuple[list[Any], str, str]


def successors(node: dict[str, Any]) -> list[str]:
    """The nodes a node can lead to, through its suggested replies and its free-text routes."""
    return [c["next"] for c in node.get("choices", [])] + [r["next"] for r in node.get("routes", [])]


def reachable(scenario: dict[str, Any]) -> set[str]:
    """Every node that can be reached from the start node."""
    nodes = scenario["nodes"]
    seen = {scenario["start"]} if scenario["start"] in nodes else set()
    queue = deque(seen)
    while queue:
        for nxt in successors(nodes[queue.popleft()]):
            if nxt in nodes and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def graph_problems(scenario: dict[str, Any]) -> list[GraphProblem]:
    """Dead ends, unknown targets, unreachable nodes and ends, undefined intents, missing fallback routes."""
    nodes: dict[str, Any] = scenario["nodes"]
    intents = set(scenario.get("intents") or {})
    known_conditions = set(LABELS) | intents | set(BUILTIN_INTENTS)
    problems: list[GraphProblem] = []
    if scenario["start"] not in nodes:
        problems.append((["start"], f"startnoden «{scenario['start']}» finnes ikke", "Sett «start» til en av nodene under «nodes»."))
        return problems
    for name, node in nodes.items():
        loc = ["nodes", name]
        is_end = "end" in node
        if is_end and (node.get("choices") or node.get("routes")):
            problems.append((loc, f"noden «{name}» er en slutt, men har svar eller ruter", "Fjern «choices»/«routes», eller fjern «end»."))
        if not is_end:
            if not node.get("routes") and not node.get("choices"):
                problems.append((loc, f"noden «{name}» er en blindvei (ingen «end», ingen svar og ingen ruter)",
                                 "Legg til «choices» og «routes», eller gjør noden til en slutt med «end»."))
            routes = node.get("routes", [])
            if not routes or "when" in routes[-1]:
                problems.append((loc + ["routes"], f"noden «{name}» mangler en reserverute for fritekst",
                                 "Siste rute skal ha bare «next» (uten «when»), så fritekst alltid fører videre."))
        for kind in ("choices", "routes"):
            for i, step in enumerate(node.get(kind, [])):
                if step["next"] not in nodes:
                    problems.append((loc + [kind, i, "next"], f"«{step['next']}» (fra noden «{name}») finnes ikke",
                                     f"Bruk en av nodene: {', '.join(sorted(nodes))}."))
                for key, values in step.get("when", {}).items():
                    if key == "state":
                        continue  # checked by extension_problems
                    for value in values:
                        if value not in known_conditions:
                            problems.append((loc + [kind, i, "when", key], f"«{value}» er verken en coach-etikett eller en definert intensjon",
                                             f"Definer den under «intents», eller bruk en etikett: {', '.join(LABELS)} "
                                             f"(eller de innebygde: {', '.join(BUILTIN_INTENTS)})."))
    alive = reachable(scenario)
    for name in nodes:
        if name not in alive:
            problems.append((["nodes", name], f"noden «{name}» kan ikke nås fra start",
                             "Lag en rute eller et svar som fører hit, eller fjern noden."))
    if not any("end" in nodes[n] for n in alive):
        problems.append((["nodes"], "ingen slutt kan nås fra start", "Minst én node med «end» må kunne nås."))
    # From every reachable node some end must still be reachable, or the learner is stuck in a loop forever.
    ends = {n for n in nodes if "end" in nodes[n]}
    can_finish = set(ends)
    changed = True
    while changed:
        changed = False
        for name, node in nodes.items():
            if name not in can_finish and any(s in can_finish for s in successors(node)):
                can_finish.add(name)
                changed = True
    for name in sorted(alive - can_finish):
        problems.append((["nodes", name], f"fra noden «{name}» kan samtalen aldri nå en slutt",
                         "Sørg for at minst én vei fra noden fører til en node med «end»."))
    return problems


GOOD_ENDS = frozenset({"safety_plan", "referred", "good_close"})


def _sure_labels(step: dict[str, Any]) -> set[str]:
    """Labels a learner turn is certain to carry when it takes this step.

    A suggested reply carries its authored labels. A free-text route is certain only of what it requires: all of
    ``all``, or the single label of a one-item ``any``; a fallback route proves nothing.
    """
    if "labels" in step:
        return set(step["labels"])
    when = step.get("when", {})
    sure = set(when.get("all", []))
    if len(when.get("any", [])) == 1:
        sure |= set(when["any"])
    return sure


def suicide_safety_problems(scenario: dict[str, Any]) -> list[GraphProblem]:
    """In a scenario with suicide risk, a good end must be reachable only after the learner has asked directly about
    suicide and explored safety (CONTENT.md's safety rules). Returns one problem per good end reachable without."""
    if "suicide" not in scenario.get("risks", []):
        return []
    nodes = scenario["nodes"]
    if scenario["start"] not in nodes:
        return []
    start = (scenario["start"], False, False)
    seen = {start}
    queue = deque([start])
    bad: dict[str, tuple[bool, bool]] = {}
    while queue:
        name, asked, explored = queue.popleft()
        node = nodes[name]
        if node.get("end") in GOOD_ENDS and not (asked and explored):
            bad.setdefault(name, (asked, explored))
        for step in node.get("choices", []) + node.get("routes", []):
            if step["next"] not in nodes:
                continue
            sure = _sure_labels(step)
            state = (step["next"], asked or "suicide_question" in sure, explored or "safety_planning" in sure)
            if state not in seen:
                seen.add(state)
                queue.append(state)
    problems = []
    for name, (asked, explored) in sorted(bad.items()):
        missing = [what for what, done in (("spørre direkte om selvmord", asked), ("utforske sikkerhet", explored)) if not done]
        problems.append((["nodes", name],
                         f"den gode slutten «{name}» kan nås uten å {' og '.join(missing)} (scenarioet har risks: [suicide])",
                         "Sørg for at alle veier hit går gjennom et svar med etiketten suicide_question og et med "
                         "safety_planning (for fritekst: en rute med «when: {any: [suicide_question]}»)."))
    return problems


def extension_problems(scenario: dict[str, Any], helplines: list[dict[str, Any]]) -> list[GraphProblem]:
    """Problems in the optional fields: unknown state variables, unreadable state conditions, services in
    ``referral.fits`` that are not in the directory, intents without patterns, broken regexes, unknown must-dos."""
    problems: list[GraphProblem] = []
    spec = state_spec(scenario)
    known_state = ", ".join(sorted(spec))
    intents = scenario.get("intents") or {}

    def check_effect(loc: list[Any], effect: dict[str, int]) -> None:
        for name in effect:
            if name not in spec:
                problems.append((loc + [name], f"tilstanden «{name}» er ikke definert",
                                 f"Definer den under «state», eller bruk en av: {known_state}."))

    for name, values in (scenario.get("state") or {}).items():
        low, high = values.get("min", -10), values.get("max", 10)
        if not low <= values.get("start", 0) <= high:
            problems.append((["state", name], f"startverdien for «{name}» er utenfor {low}–{high}",
                             "Sett «start» mellom «min» og «max»."))
    for label, effect in (scenario.get("label_effects") or {}).items():
        check_effect(["label_effects", label], effect)
    for name, spec_ in intents.items():
        if not spec_.get("patterns") and not spec_.get("regex"):
            problems.append((["intents", name], f"intensjonen «{name}» har verken «patterns» eller «regex»",
                             "Skriv ord eller ordbiter under «patterns» (små bokstaver)."))
        for i, rx in enumerate(spec_.get("regex", [])):
            try:
                re.compile(rx)
            except re.error as exc:
                problems.append((["intents", name, "regex", i], f"det regulære uttrykket «{rx}» er ugyldig ({exc.msg})",
                                 "Rett uttrykket, eller bruk «patterns» med vanlige ordbiter."))
    for name, node in scenario["nodes"].items():
        for kind in ("choices", "routes"):
            for i, step in enumerate(node.get(kind, [])):
                loc = ["nodes", name, kind, i]
                if "state" in step:
                    check_effect(loc + ["state"], step["state"])
                for var, expression in (step.get("when", {}).get("state") or {}).items():
                    if var not in spec:
                        problems.append((loc + ["when", "state", var], f"tilstanden «{var}» er ikke definert",
                                         f"Definer den under «state», eller bruk en av: {known_state}."))
                    try:
                        parse_condition(expression)
                    except ValueError:
                        problems.append((loc + ["when", "state", var], f"betingelsen «{expression}» kan ikke leses",
                                         "Skriv for eksempel «>= 2», «< 0» eller «== 3»."))
    known_services = {s["id"] for s in helplines}
    for i, sid in enumerate((scenario.get("referral") or {}).get("fits", [])):
        if sid not in known_services:
            problems.append((["referral", "fits", i], f"tjenesten «{sid}» finnes ikke i helplines.yaml",
                             f"Bruk en av: {', '.join(sorted(known_services))}."))
    for i, item in enumerate(scenario.get("must_do", [])):
        if item not in LABELS and item not in intents and item not in BUILTIN_INTENTS:
            problems.append((["must_do", i], f"«{item}» er verken en coach-etikett eller en definert intensjon",
                             f"Bruk en etikett ({', '.join(LABELS)}) eller en intensjon fra «intents»."))
    return problems
