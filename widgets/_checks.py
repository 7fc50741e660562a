"""Cross-file content checks that a JSON Schema cannot express (used by :mod:`widgets.content`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .simulation.scenario import extension_problems, graph_problems, suicide_safety_problems

if TYPE_CHECKING:
    from .content import Problem, Theme, YamlDoc


def _problem(doc: YamlDoc, root: Path, location: list[Any], message: str, hint: str) -> Problem:
    from .content import Problem, _rel

    return Problem(_rel(doc.path, root), doc.line_of(location), message, hint)


def _media_problems(doc: YamlDoc, root: Path, location: list[Any], ref: str) -> list[Problem]:
    if ref.startswith("https://"):
        return []
    if not (root / "data" / ref).is_file():
        return [
            _problem(doc, root, location, f"filen «{ref}» finnes ikke under data/",
                     "Legg filen i data/media/<tema>/, rett stien, eller bruk en https-adresse.")
        ]
    return []


def theme_problems(
    theme: Theme, docs: dict[str, YamlDoc], scenario_docs: dict[str, YamlDoc], course_doc: YamlDoc, index: int,
    root: Path, helplines: list[dict[str, Any]],
) -> list[Problem]:
    """Problems in one ready theme: missing section content, media, quiz logic, scenario graphs."""
    from .content import FILM_SECTIONS, SECTION_TITLES

    problems: list[Problem] = []
    course_loc = ["themes", index, "sections"]
    films = docs.get("films.yaml")
    if films is not None:
        kinds = {f["kind"] for f in films.data["films"]}
        for section in FILM_SECTIONS:
            if section in theme.sections and section not in kinds:
                problems.append(_problem(course_doc, root, course_loc,
                    f"temaet «{theme.id}» har delen {SECTION_TITLES[section]} ({section}), men films.yaml har ingen film av den typen",
                    f"Legg til en film med «kind: {section}» i data/themes/{theme.id}/films.yaml, eller fjern delen."))
        seen: set[str] = set()
        for i, film in enumerate(films.data["films"]):
            loc = ["films", i]
            if film["id"] in seen:
                problems.append(_problem(films, root, loc + ["id"], f"film-id «{film['id']}» er brukt to ganger", "Gi hver film en egen id."))
            seen.add(film["id"])
            refs = [(loc + ["sources", j, "src"], s["src"]) for j, s in enumerate(film["sources"])]
            refs += [(loc + ["captions"], film["captions"]), (loc + ["transcript"], film["transcript"])]
            refs += [(loc + ["described", "sources", j, "src"], s["src"]) for j, s in enumerate(film["described"]["sources"])]
            refs += [(loc + ["described", "captions"], film["described"]["captions"])]
            if "poster" in film:
                refs.append((loc + ["poster"], film["poster"]))
            for location, ref in refs:
                problems.extend(_media_problems(films, root, location, ref))
            for location, ref in refs:
                if ref.endswith(".vtt") and not ref.startswith("https://") and (root / "data" / ref).is_file():
                    head = (root / "data" / ref).read_text(encoding="utf-8", errors="replace")[:6]
                    if head != "WEBVTT":
                        problems.append(_problem(films, root, location, f"«{ref}» er ikke en WebVTT-fil",
                                                 "Tekstfilen må begynne med WEBVTT."))
    quiz = docs.get("quiz.yaml")
    if quiz is not None:
        seen = set()
        for i, item in enumerate(quiz.data["items"]):
            loc = ["items", i]
            if item["id"] in seen:
                problems.append(_problem(quiz, root, loc + ["id"], f"spørsmåls-id «{item['id']}» er brukt to ganger", "Gi hvert spørsmål en egen id."))
            seen.add(item["id"])
            if item["type"] == "true_false":
                continue
            correct = sum(1 for o in item["options"] if o.get("correct"))
            if item["type"] == "single" and correct != 1:
                problems.append(_problem(quiz, root, loc + ["options"],
                    f"spørsmål «{item['id']}» (single) har {correct} riktige svar",
                    "Et spørsmål med ett svar skal ha nøyaktig ett alternativ med «correct: true». Bruk «type: multiple» for flere."))
            if item["type"] == "multiple" and correct < 1:
                problems.append(_problem(quiz, root, loc + ["options"],
                    f"spørsmål «{item['id']}» (multiple) har ingen riktige svar", "Merk minst ett alternativ med «correct: true»."))
    sources = docs.get("sources.yaml")
    if sources is not None and "learn_more" in theme.sections and len(sources.data["sources"]) < 4:
        problems.append(_problem(sources, root, ["sources"], f"«Lær mer» har bare {len(sources.data['sources'])} kilder",
                                 "Legg til minst fire ekte kilder med tittel, utgiver, år og adresse."))
    reflections = docs.get("reflections.yaml")
    if reflections is not None and "reflection" in theme.sections and len(reflections.data["tasks"]) < 3:
        problems.append(_problem(reflections, root, ["tasks"], "det er færre enn tre refleksjonsoppgaver og øvelser",
                                 "Legg til oppgaver slik at det er minst tre."))
    if "simulation" in theme.sections and not scenario_docs:
        problems.append(_problem(course_doc, root, course_loc, f"temaet «{theme.id}» har samtalesimulering, men ingen scenarier",
                                 f"Legg et scenario i data/themes/{theme.id}/scenarios/."))
    for doc in scenario_docs.values():
        if doc.path.stem != doc.data["id"]:
            problems.append(_problem(doc, root, ["id"], f"scenario-id «{doc.data['id']}» er ikke lik filnavnet «{doc.path.stem}»",
                                     "Gi filen samme navn som id-en."))
        found = graph_problems(doc.data) + suicide_safety_problems(doc.data) + extension_problems(doc.data, helplines)
        for location, message, hint in found:
            problems.append(_problem(doc, root, location, message, hint))
    theme_doc = docs.get("theme.yaml")
    if theme_doc is not None:
        known = {s["id"] for s in helplines}
        for i, service in enumerate(theme_doc.data.get("referrals", [])):
            if service not in known:
                problems.append(_problem(theme_doc, root, ["referrals", i], f"tjenesten «{service}» finnes ikke i helplines.yaml",
                                         f"Bruk en av: {', '.join(sorted(known))}."))
    notebook = root / "notebooks" / theme.notebook
    if not notebook.is_file():
        problems.append(_problem(course_doc, root, ["themes", index, "id"], f"notatboken notebooks/{theme.notebook} mangler",
                                 "Lag notatboken for temaet (kopier en eksisterende temanotatbok), eller sett «status: planned»."))
    return problems


def course_problems(themes: list[Theme], course_doc: YamlDoc, root: Path) -> list[Problem]:
    """Problems across themes: duplicate ids or order numbers."""
    problems = []
    ids: set[str] = set()
    orders: set[int] = set()
    for i, theme in enumerate(themes):
        if theme.id in ids:
            problems.append(_problem(course_doc, root, ["themes", i, "id"], f"tema-id «{theme.id}» er brukt to ganger", "Gi hvert tema en egen id."))
        if theme.order in orders:
            problems.append(_problem(course_doc, root, ["themes", i, "order"], f"rekkefølgen {theme.order} er brukt to ganger",
                                     "Gi hvert tema et eget nummer i «order»."))
        ids.add(theme.id)
        orders.add(theme.order)
    return problems
