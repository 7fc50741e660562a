"""`trygge print`: worksheets, tool cards and the help-line card as PDFs whose text a trainer can check."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from widgets.cli import main
from widgets.content import REPO_ROOT, ContentError, load_course
from widgets.printables import helpline_card_pdf, load_toolcards, print_all, toolcard_pdf, worksheet_pdf

EXAMPLE = REPO_ROOT / "data" / "profiles" / "eksempel.yaml"


def text_of(data: bytes | Path) -> str:
    reader = PdfReader(BytesIO(data) if isinstance(data, bytes) else data)
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def cards() -> dict[str, dict]:
    return {c["id"]: c for c in load_toolcards(REPO_ROOT)}


def test_safety_plan_has_the_five_steps_and_room_to_write(cards: dict) -> None:
    text = flat(text_of(toolcard_pdf(cards["sikkerhetsplan"])))
    for step in ("A Varselsignaler", "B Det jeg kan gjøre selv", "C Mennesker og steder som hjelper",
                 "D Fagfolk og tjenester jeg kan kontakte", "E Gjøre omgivelsene tryggere"):
        assert step in text, step
    assert "Stanley" in text and "113" in text
    assert len(PdfReader(BytesIO(toolcard_pdf(cards["sikkerhetsplan"]))).pages) == 1  # one sheet to hand out


def test_ask_directly_card_has_the_example_phrasings(cards: dict) -> None:
    text = flat(text_of(toolcard_pdf(cards["spor-direkte"], "Eksempel-linjen")))
    assert "Tenker du av og til på selvmord?" in text
    assert "Du sier du er lei av alt. Er det sånn at du har tenkt å ta livet ditt?" in text
    assert "Spør igjen" in text and "Eksempel-linjen" in text


def test_oars_card_names_the_four_skills(cards: dict) -> None:
    text = flat(text_of(toolcard_pdf(cards["oars"])))
    for skill in ("Åpne spørsmål", "Bekreftelser", "Refleksjoner", "Oppsummeringer"):
        assert skill in text


def test_helpline_card_lists_numbers_and_hours_local_services_first() -> None:
    services = load_course(REPO_ROOT).helplines
    local = {"id": "lokal", "name": "Vår egen linje", "phone": "400 00 001", "hours_text": "Hverdager kl. 17–23.",
             "hours": [], "target": {"min_age": 18}, "needs": ["samtale"], "source": "https://example.org",
             "checked": "2026-11-22"}
    text = flat(text_of(helpline_card_pdf([*services, local], "Org", {"lokal"})))
    assert text.index("Vår egen linje (vår lokale tjeneste)") < text.index("Mental Helse Hjelpetelefonen")
    assert "Telefon 116 123" in text and "Telefon 116 111" in text and "Telefon 08588" in text
    assert "Hverdager kl. 11-18" in text  # RUSinfo's hours (dashes drawn as «-» in the PDF's font)
    assert "ring 113" in text and "Sjekket 2026-11-22" in text


def test_worksheet_keeps_its_signature_and_content() -> None:
    course = load_course(REPO_ROOT)
    theme = course.theme("samtalen")
    text = flat(text_of(worksheet_pdf("Trygge samtaler", theme)))
    assert theme.title in text and theme.tasks[0]["title"] in text and "Dette skal du kunne" in text


def test_print_all_for_the_course_and_for_an_organisation(tmp_path: Path) -> None:
    written = print_all(tmp_path / "alle", REPO_ROOT)
    names = {p.path.name for p in written}
    assert {f"arbeidsark-{t.id}.pdf" for t in load_course(REPO_ROOT).themes} <= names
    assert {"verktoykort-sikkerhetsplan.pdf", "verktoykort-spor-direkte.pdf", "verktoykort-oars.pdf",
            "hjelpekort.pdf"} <= names
    org = print_all(tmp_path / "org", REPO_ROOT, EXAMPLE)
    names = [p.path.name for p in org]
    assert "arbeidsark-vold.pdf" not in names and "arbeidsark-ivaretakelse.pdf" in names
    card = flat(text_of(tmp_path / "org" / "hjelpekort.pdf"))
    assert "Eksempel-linjen - vaktleder for frivillige (vår lokale tjeneste)" in card
    assert "Telefon 400 00 000" in card
    assert "Trygge samtaler - Eksempel-linjen" in flat(text_of(tmp_path / "org" / "arbeidsark-samtalen.pdf"))


def test_cli_print_writes_files_and_reports_problems(tmp_path: Path, capsys, course_copy: Path) -> None:
    assert main(["print", "--out", str(tmp_path / "ut"), "--org", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "hjelpekort.pdf" in out and "Skrev 7 PDF-filer" in out
    (course_copy / "data" / "toolcards.yaml").write_text("cards:\n  - id: x\n    theme: samtalen\n", encoding="utf-8")
    assert main(["print", "--course-dir", str(course_copy), "--out", str(tmp_path / "feil")]) == 1
    err = capsys.readouterr().err
    assert "data/toolcards.yaml:2: cards/0: mangler feltet" in err and "Ingenting ble skrevet ut" in err
    with pytest.raises(ContentError):
        load_toolcards(course_copy)
