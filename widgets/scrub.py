"""Free-text scrubber: take personal data out of what a learner writes before it is stored or sent anywhere.

Every piece of personal data is replaced by a typed placeholder in Norwegian square brackets::

    >>> scrub("Ring meg på 987 65 432 eller skriv til ola@example.no")
    'Ring meg på [telefon] eller skriv til [e-post]'

Kinds, in detection priority order (``KINDS``; placeholders in ``PLACEHOLDERS``):

``lenke``
    URLs: ``http://``, ``https://``, ``www.``, and a bare ``domain.tld/path``. URLs on the help-line sites
    learners are taught (``ALLOWED_DOMAINS``) are kept.
``e-post``
    e-mail addresses, also ``ola(at)example.no`` and ``ola [at] example.no``.
``fødselsnummer``
    11 digits (``DDMMYYNNNNN`` or ``DDMMYY NNNNN``) with valid mod-11 control digits: fødselsnummer, D-nummer,
    H-nummer and synthetic test numbers alike.
``telefon``
    Norwegian 8-digit numbers in the usual groupings (``98765432``, ``987 65 432``, ``98 76 54 32``,
    ``9876 5432``, with spaces, dots or dashes), with or without ``+47`` / ``0047`` / ``(+47)``; any other
    ``+``- or ``00``-prefixed international number. Never the public numbers in ``PUBLIC_NUMBERS``.
``adresse``
    a street with a house number («Storgata 12», «Kirkeveien 5B», «Karl Johans gate 1», «Bygdøy allé 2»),
    with an optional postcode and place («, 0155 Oslo»); a lone «NNNN Place» after a comma.
``navn``
    first names from ``data/names/fornavn.txt`` written with a capital letter, together with the capitalised
    word(s) right after them (the surname); any capitalised word after «jeg heter», «navnet mitt er»,
    «kall meg» …, and a listed name in lower case after those cues.

Decisions:

* An 11-digit number with invalid control digits is not a fødselsnummer and is left alone (it is not a phone
  number either). Bank account numbers (``1234 56 78903``) and organisation numbers (``987 654 321``) stay.
* Fewer than 8 digits is never a phone number: 113, 116 123, 02800, years, times, ages, quiz scores stay.
  Nor are 8-digit candidates that start with 0 or 1, read as a date (``20240312``, ``24122023``), two years
  (``2020-2024``), a time range (``2130-2300``) or an amount (``25 000 000``, ``12 345 678 kr``).
* Names that are also common words (``AMBIGUOUS_NAMES``: Liv, Dag, Sol, Mai, Per, Hans …) need a name-like
  context: a cue right before («heter», «søsteren min», «hei», «snakket med» …), a surname right after, «og
  <navn>» after, or a capital letter mid-sentence that the word before does not explain («God Dag», «i Mai»,
  «mitt Liv» and a number or placeholder before are not names). At the start of a sentence, without such
  context, they are kept («Liv er viktig»). Other listed names are scrubbed wherever they are capitalised.
* Placeholders are never scrubbed, and ``scrub(scrub(x)) == scrub(x)``.
* ``keep=[...]`` leaves given names alone, e.g. the fictional caller's alias in a simulation scenario.

A later detector's match that overlaps an earlier one is dropped. Regexes are compiled at import; the name
list and the allowlists (built-in sets plus ``data/helplines.yaml``) are loaded lazily, once;
``reload_allowlists()`` forgets them.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "AMBIGUOUS_NAMES",
    "BUILTIN_ALLOWED_DOMAINS",
    "BUILTIN_PUBLIC_NUMBERS",
    "KINDS",
    "PLACEHOLDERS",
    "Finding",
    "allowed_domains",
    "find_personal_data",
    "first_names",
    "public_numbers",
    "reload_allowlists",
    "scrub",
    "scrub_report",
    "valid_fodselsnummer",
]

REPO_ROOT = Path(__file__).resolve().parent.parent

#: The kinds of personal data, in detection priority order.
KINDS: tuple[str, ...] = ("lenke", "e-post", "fødselsnummer", "telefon", "adresse", "navn")
#: The placeholder that replaces each kind.
PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS}

#: Emergency and help-line numbers learners are taught; never scrubbed. Digits only, without country code.
BUILTIN_PUBLIC_NUMBERS: frozenset[str] = frozenset(
    {
        "110",  # brann
        "112",  # politi
        "113",  # medisinsk nødhjelp
        "02800",  # politiet, ikke akutt
        "116006",  # Hjelpetelefonen for kriminalitetsutsatte
        "116111",  # Alarmtelefonen for barn og unge
        "116117",  # legevakt
        "116123",  # Mental Helse Hjelpetelefonen
        "22400040",  # Kirkens SOS
        "22591300",  # Giftinformasjonen
        "80033321",  # Kors på halsen
        "80057000",  # Hjelpetelefonen for seksuelt misbrukte
    }
)

#: Help-line and public-service sites learners are taught: URLs on these domains (or subdomains) are kept.
BUILTIN_ALLOWED_DOMAINS: frozenset[str] = frozenset(
    {
        "116111.no",
        "116117.no",
        "dinutvei.no",
        "helsedirektoratet.no",
        "helsenorge.no",
        "kirkens-sos.no",
        "korspahalsen.no",
        "krisesenter.com",
        "ldo.no",
        "leve.no",
        "mentalhelse.no",
        "politiet.no",
        "rodekors.no",
        "rusinfo.no",
        "sidetmedord.no",
        "soschat.no",
        "ung.no",
        "vfb.no",
    }
)

#: First names that are also common Norwegian words: scrubbed only in a name-like context.
AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    "Ask Bo Dag Eli Endre Finn Gard Gro Hans Liv Lykke Mai Odd Per Rosa Rose Sol Stein Stig Storm Tom Tone"
    " Vår".split()
)

# ------------------------------------------------------------------------------------------------------------
# Data: allowlists and names (lazy, cached)


def _data_dirs() -> list[Path]:
    """The repository's ``data/``, then the course directory's (``TRYGGE_COURSE_DIR``) if that differs."""
    dirs = [REPO_ROOT / "data"]
    course = os.environ.get("TRYGGE_COURSE_DIR")
    if course:
        extra = Path(course) / "data"
        try:
            if extra.resolve() != dirs[0].resolve():
                dirs.append(extra)
        except OSError:
            pass
    return dirs


def _national_digits(value: str) -> str:
    """Digits only, without the Norwegian country code. A foreign number keeps its code, marked with «+»."""
    head = value.lstrip("( \t")
    digits = re.sub(r"\D", "", value)
    if head.startswith(("+", "00")):
        if head.startswith("00"):
            digits = digits[2:]
        return digits[2:] if digits.startswith("47") else "+" + digits
    if digits.startswith("47") and len(digits) == 10:
        return digits[2:]
    return digits


def _walk(node: Any, keys: frozenset[str]) -> Iterator[Any]:
    """Every value stored under one of ``keys`` anywhere in a parsed YAML tree (lists are flattened)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys:
                yield from value if isinstance(value, list) else [value]
            if isinstance(value, (dict, list)):
                yield from _walk(value, keys)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, keys)


@functools.cache
def _helplines() -> tuple[Any, ...]:
    """The parsed ``helplines.yaml`` files; a missing one is skipped, a broken one skipped with a warning."""
    trees = []
    for folder in _data_dirs():
        path = folder / "helplines.yaml"
        if not path.is_file():
            continue
        try:
            import yaml  # only needed when there is a file to read

            # libyaml's loader when PyYAML has it: the same tree, ~8× faster (a learner's first typed turn waits).
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            trees.append(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))  # noqa: S506 - a safe loader
        except Exception as exc:  # noqa: BLE001 - the scrubber must keep working with a broken directory
            warnings.warn(f"scrub: could not read {path}: {exc}", RuntimeWarning, stacklevel=2)
    return tuple(trees)


@functools.cache
def public_numbers() -> frozenset[str]:
    """``PUBLIC_NUMBERS``: ``BUILTIN_PUBLIC_NUMBERS`` plus every ``phone`` / ``sms`` in ``helplines.yaml``."""
    numbers = set(BUILTIN_PUBLIC_NUMBERS)
    for tree in _helplines():
        for value in _walk(tree, frozenset({"phone", "sms"})):
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                for part in re.split(r"[,/;]|\beller\b|\bog\b", str(value)):
                    digits = _national_digits(part)
                    if len(digits) >= 3:
                        numbers.add(digits)
    return frozenset(numbers)


def _host(url: str) -> str:
    """The lower-case host of a URL, without scheme, port and a leading ``www.``; "" if it has user info."""
    rest = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower())
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in host:
        return ""  # «https://user@host»: never an allowlisted site
    host = host.split(":", 1)[0].rstrip(".")
    return host.removeprefix("www.")


@functools.cache
def allowed_domains() -> frozenset[str]:
    """``ALLOWED_DOMAINS``: ``BUILTIN_ALLOWED_DOMAINS`` plus the chat/web addresses in ``helplines.yaml``."""
    domains = set(BUILTIN_ALLOWED_DOMAINS)
    keys = frozenset({"chat", "web", "url", "website", "homepage", "nettside"})
    for tree in _helplines():
        for value in _walk(tree, keys):
            if isinstance(value, str) and "." in value:
                host = _host(value)
                if host and " " not in host:
                    domains.add(host)
    return frozenset(domains)


@functools.cache
def first_names() -> frozenset[str]:
    """``FIRST_NAMES``: ``data/names/fornavn.txt`` (plus the course directory's, if any), loaded once."""
    names: set[str] = set(AMBIGUOUS_NAMES)
    found = False
    for folder in _data_dirs():
        path = folder / "names" / "fornavn.txt"
        if path.is_file():
            found = True
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    names.add(line)
    if not found:
        warnings.warn("scrub: data/names/fornavn.txt is missing; few names are scrubbed", RuntimeWarning, 2)
    return frozenset(names)


def reload_allowlists() -> None:
    """Forget the cached names and allowlists (after ``helplines.yaml`` or ``TRYGGE_COURSE_DIR`` changed)."""
    for cached in (_helplines, public_numbers, allowed_domains, first_names):
        cached.cache_clear()


def __getattr__(name: str) -> frozenset[str]:
    """``PUBLIC_NUMBERS``, ``ALLOWED_DOMAINS``, ``FIRST_NAMES``: module attributes computed on first use."""
    if name == "PUBLIC_NUMBERS":
        return public_numbers()
    if name == "ALLOWED_DOMAINS":
        return allowed_domains()
    if name == "FIRST_NAMES":
        return first_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------------------------------------------------
# Fødselsnummer

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def valid_fodselsnummer(digits: str) -> bool:
    """True if ``digits`` is an 11-digit fødselsnummer or D-nummer with valid mod-11 control digits.

    Whitespace and dashes between the digits are ignored. Only the control digits are checked (so D-nummer,
    with 4 added to the first digit, H-nummer and synthetic test numbers pass too), and the date part must not
    be ``000000``.
    """
    if not isinstance(digits, str):
        raise TypeError(f"valid_fodselsnummer() expects str, got {type(digits).__name__}")
    compact = re.sub(r"[\s-]", "", digits)
    if len(compact) != 11 or not compact.isascii() or not compact.isdigit() or compact.startswith("000000"):
        return False
    d = [int(c) for c in compact]
    k1 = (11 - sum(w * x for w, x in zip(_K1, d)) % 11) % 11
    if k1 == 10 or k1 != d[9]:
        return False
    k2 = (11 - sum(w * x for w, x in zip(_K2, d)) % 11) % 11
    return k2 != 10 and k2 == d[10]


# ------------------------------------------------------------------------------------------------------------
# Patterns, compiled once. Most start with a look-ahead for their first character, which lets the regex engine
# skip quickly to where a match can begin.

_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"  # capitals (Latin Extended-A holds lower case too: callers check str.isupper)
_WORD = r"[^\W\d_]"  # a letter

_URL_CHARS = r"[^\s<>\"'«»\[\]{}|\\^`]"
_URL_RE = re.compile(rf"(?=[hfw])(?<![\w@.])(?:(?:https?|ftp)://|www\.){_URL_CHARS}+", re.IGNORECASE)
# A bare domain with a path («instagram.com/ola»): found by its «.tld/», then extended back over the domain.
_BARE_TLD_RE = re.compile(
    r"\.(?:no|com|net|org|io|me|se|dk|nu|info|tv|app|ly|gl|be|co|uk|de|eu|fi|is)/", re.IGNORECASE
)
_URL_TAIL_RE = re.compile(rf"{_URL_CHARS}*")
_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")

# E-mail: found by its «@» («(at)», «[at]»), then extended back over the local part.
_AT_RE = re.compile(r" ?@ ?| ?[(\[{]at[)\]}] ?", re.IGNORECASE)
_EMAIL_DOMAIN_RE = re.compile(r"(?:[\w-]+\.)+[A-Za-z]{2,}(?![\w-])")

_FNR_RE = re.compile(r"(?=\d{6})(?<!\d)(?<!\d[.,])\d{6}[ \u00a0-]?\d{5}(?!\d)(?![.,]\d)")

_S = r"[ .\-\u00a0]"  # one separator inside a phone number
_INTL_PHONE_RE = re.compile(
    rf"(?=[+0(])(?<![\w+])(?:\(\s?)?(?:\+|00)\s?\d{{1,3}}(?:\s?\))?{_S}?\d(?:{_S}?\d){{5,11}}(?!\d)"
)
_NO_PHONE_RE = re.compile(
    rf"(?=\d\d)(?<![\d+])(?<!\d[.,])"
    rf"(?:47\d{{8}}|\d{{8}}|\d{{3}}{_S}\d{{2}}{_S}\d{{3}}|\d{{2}}{_S}\d{{2}}{_S}\d{{2}}{_S}\d{{2}}"
    rf"|\d{{3}}{_S}\d{{3}}{_S}\d{{2}}|\d{{2}}{_S}\d{{3}}{_S}\d{{3}}|\d{{4}}{_S}\d{{4}})"
    rf"(?!\d)(?![.,]\d)"
)
_PHONE_SPLIT_RE = re.compile(_S)
_DIGIT_RE = re.compile(r"\d")
_AMOUNT_AFTER_RE = re.compile(
    r"\s?(?:kr\b|kroner|nok\b|,-|mill|personer|mennesker|innbyggere|%)", re.IGNORECASE
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")

# Street addresses. Either one compound word ending in a street suffix («Storgata», «Kirkeveien») or
# capitalised words before a separate suffix word («Karl Johans gate», «Bygdøy allé»); then a house number.
_STREET_SUFFIX = (
    r"(?:gata|gate|gaten|gt\.|veien|vegen|vei|veg|vn\.|allé|plass|plassen|stien|bakken|bakke|torget|torg"
    r"|brygga|bryggen|brygge|kaia|kaien|svingen|ringen|kroken|løkka|jordet|tunet|grenda|myra|parken|park"
    r"|terrassen|promenaden|kleiva)"
)
_STREET_WORD = (
    r"(?:(?i:gate|gata|gaten|gt\.|vei|veien|veg|vegen|vn\.|allé|plass|plassen|terrasse|torg|park|bakke"
    r"|brygge)|Alle)"
)
_NOT_STREET_NAME = (
    r"(?!(?:I|Jeg|Du|Vi|Han|Hun|Hen|De|Det|Den|Dere|Og|Men|Ring|Ringte|Bor|Bodde|På|Til|Fra|Ved|Mitt|Min|Mi"
    r"|Hei|Adressen|Adresse)\s)"
)
_HOUSE_NO = r"\d{1,4}(?!\d)(?:\s?-\s?\d{1,4})?(?:[A-Za-z](?!\w)|\s[A-H](?!\w))?"
_PLACE = rf"[{_UP}]{_WORD}+(?:-[{_UP}]{_WORD}+|\s(?:i|på)\s[{_UP}]{_WORD}+)?"
_NOT_PLACE = (
    r"(?!(?:Jeg|Du|Vi|Han|Hun|Hen|De|Det|Den|Dette|Der|Her|Men|Og|Så|Da|Nå|Hvis|Om|Kl|Klokka|Etter|Før"
    r"|Siden|I|På|Til|Fra|Med|For|Som|Var|Er|Har|Hadde)\b)"
)
_ADDRESS_RE = re.compile(
    rf"(?=[{_UP}])(?<!\w)"
    rf"(?:(?:Øvre|Nedre|Gamle|Nye|Store|Lille|Nordre|Søndre|Vestre|Østre|Indre|Ytre|Sankt|St\.)\s+)?"
    rf"(?:[{_UP}]{_WORD}*{_WORD}{_STREET_SUFFIX}"
    rf"|(?:{_NOT_STREET_NAME}[{_UP}][\w'.-]*\s+){{1,4}}{_STREET_WORD})"
    rf"\s+{_HOUSE_NO}"
    rf"(?:(?:,\s*|\s+)\d{{4}}\s+{_NOT_PLACE}{_PLACE})?"
)
_POSTCODE_RE = re.compile(rf",[ \t]*(\d{{4}}\s+{_NOT_PLACE}{_PLACE})")

# Names.
_TOKEN_RE = re.compile(rf"(?=[{_UP}])(?<!\w)[{_UP}]{_WORD}*(?:-[{_UP}]{_WORD}*)*(?!\w)")
_NEXT_TOKEN_RE = re.compile(rf"[ \u00a0]+([{_UP}]{_WORD}+(?:-[{_UP}]{_WORD}+)*|[A-ZÆØÅ]\.)(?!\w)")
_AND_NAME_RE = re.compile(rf"\s+(?:og|&)\s+([{_UP}]{_WORD}+)(?!\w)")
_NOT_SURNAME = frozenset(
    """I Jeg Du Han Hun Hen Vi Dere De Det Den Der Dette Denne Her Og Men Så Som Er Var Har Hadde Skal Vil Kan
    Må På Til Fra Med Om For Av Hei Hallo Hilsen Mvh Takk Ja Nei Ok Okei Da Nå Når Hvis Hva Hvem Hvor Hvordan
    Hvorfor Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Herre Gud Jesus Kirkens Mental Helse Røde
    Kors Majestet Kongelige Høyhet""".split()
)
# After a strong cue any capitalised word is a name, and so is a listed name in lower case («jeg heter ola»).
_STRONG_CUE_RE = re.compile(
    r"(?=[jhdvmsnk])"
    r"(?:\b(?:jeg|han|hun|hen|du|vi|min|mi|mitt|hans|hennes|hens|sin|si)\s+(?:heter|het)"
    r"|\b(?:heter|het)\s+(?:jeg|han|hun|hen|du)"
    r"|\bnavnet\s+(?:mitt\s+|hans\s+|hennes\s+|hens\s+|ditt\s+|vårt\s+)?er"
    r"|\bmitt\s+navn\s+er|\bkall\s+meg|\bkallenavnet\s+(?:mitt\s+)?er)"
    rf"\s*[,:]?\s*({_WORD}+(?:-{_WORD}+)*)(?!\w)",
    re.IGNORECASE,
)
# Weaker cues: one, two or three words right before an ambiguous name that make it a name.
_POSSESSIVES = "min mi mitt vår din di ditt hans hennes deres sin si".split()
_RELATIONS = """søster søstera søsteren bror broren kjæreste kjæresten venninne venninna venninnen venn vennen
    kompis kompisen kone kona mann mannen samboer samboeren ektefelle ektefellen partner partneren datter
    datteren dattera sønn sønnen mor moren mora far faren mamma pappa bestemor bestefar mormor morfar farmor
    farfar onkel tante fetter kusine nabo naboen lærer læreren sjef sjefen kollega kollegaen eksen barnet
    jenta gutten kontaktperson kontaktpersonen fastlege fastlegen psykolog psykologen veileder veilederen
    terapeut terapeuten klient klienten innringer innringeren""".split()
_CUES: dict[int, frozenset[str]] = {
    1: frozenset(
        """heter het kalles hei hallo heisann hilsen mvh kjære takk kontakt kontakte kontaktet ring ringe
        ringte møtte traff""".split()
        + _RELATIONS
    ),
    2: frozenset(
        [
            "jeg er", "dette er", "her er", "det er", "det var", "spør etter", "spurte etter", "snakke med",
            "snakket med", "sammen med", "kall meg", "navnet er", "kallenavnet er",
        ]
        + [f"{r} {p}" for r in _RELATIONS for p in _POSSESSIVES]
        + [f"{p} {r}" for r in _RELATIONS for p in _POSSESSIVES]
    ),
    3: frozenset(
        [f"navnet {p} er" for p in ("mitt", "hans", "hennes", "hens", "ditt", "vårt")]
        + ["mitt navn er", "kallenavnet mitt er"]
    ),
}
# Words after which a capitalised ambiguous name mid-sentence is the common word («God Dag», «mitt Liv»).
_BLOCKERS = frozenset(
    """god godt gode i hver hvert hele en ei et den det denne dette min mitt mi mine din ditt di dine sin sitt
    si sine vår vårt våre deres hans hennes ny nytt nye neste forrige samme per eget egen lite mye noe all
    alt""".split()
)
# … and for «Mai», the month when capitalised by mistake («fra Mai», «til Mai»).
_MONTH_BLOCKERS = _BLOCKERS | frozenset(
    "fra til før etter siden innen om av medio ultimo primo midten slutten starten begynnelsen".split()
)
_SENTENCE_END = frozenset(".!?…:;\n")
_OPENERS = frozenset(" \t\r\u00a0\"'«»“”‘’([{-–—*_>•")
_PUNCT = "\"'«»“”‘’()[]{},"

# ------------------------------------------------------------------------------------------------------------
# Detection


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` is of ``kind`` (one of ``KINDS``)."""

    kind: str
    start: int
    end: int


class _Spans:
    """The accepted findings: sorted, never overlapping."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.items: list[Finding] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i and self.items[i - 1].end > start:
            return True
        return i < len(self.items) and self.items[i].start < end

    def add(self, finding: Finding) -> bool:
        """Accept ``finding`` unless it overlaps an accepted one."""
        if finding.end <= finding.start or self.overlaps(finding.start, finding.end):
            return False
        i = bisect.bisect_right(self.starts, finding.start)
        self.starts.insert(i, finding.start)
        self.items.insert(i, finding)
        return True


def _inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in ranges)


def _check_str(text: object, func: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{func}() expects str, got {type(text).__name__}")
    return str.__str__(text)  # a plain str, also for str subclasses (e.g. markup)


def _url_candidates(text: str, low: str) -> Iterator[tuple[int, int]]:
    """(start, end) of what looks like a URL, trailing punctuation not yet trimmed."""
    if "://" in text or "www." in low:
        for m in _URL_RE.finditer(text):
            yield m.span()
    if "/" in text:
        for m in _BARE_TLD_RE.finditer(text):
            start = m.start()
            while start > 0 and text[start - 1] in _DOMAIN_CHARS:
                start -= 1
            while start < m.start() and text[start] in ".-":
                start += 1
            if start == m.start() or (start > 0 and (text[start - 1] in "@/" or text[start - 1].isalnum())):
                continue  # no domain, or part of an e-mail address, a longer URL or a word
            yield start, _URL_TAIL_RE.match(text, m.end()).end()


def _urls(text: str, low: str, spans: _Spans, protected: list[tuple[int, int]]) -> None:
    allowed = allowed_domains()
    for start, end in _url_candidates(text, low):
        url = text[start:end]
        # Trailing sentence punctuation is not part of the URL; a «)» only if it closes a «(» in the URL.
        while url and url[-1] in ".,;:!?'\")»":
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if not url:
            continue
        end = start + len(url)
        host = _host(url)
        if host and any(host == d or host.endswith("." + d) for d in allowed):
            protected.append((start, end))
        else:
            spans.add(Finding("lenke", start, end))


def _emails(text: str, spans: _Spans) -> None:
    for m in _AT_RE.finditer(text):
        start = m.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._+-"):
            start -= 1
        domain = _EMAIL_DOMAIN_RE.match(text, m.end())
        if start < m.start() and domain:
            spans.add(Finding("e-post", start, domain.end()))


def _fodselsnummer(text: str, spans: _Spans) -> None:
    for m in _FNR_RE.finditer(text):
        if valid_fodselsnummer(m.group()):
            spans.add(Finding("fødselsnummer", m.start(), m.end()))


def _is_date(digits: str) -> bool:
    """8 digits that read as YYYYMMDD or DDMMYYYY (years 19xx and 20xx)."""

    def ok(year: str, month: str, day: str) -> bool:
        return year[:2] in ("19", "20") and 1 <= int(month) <= 12 and 1 <= int(day) <= 31

    return ok(digits[:4], digits[4:6], digits[6:]) or ok(digits[4:], digits[2:4], digits[:2])


def _is_hhmm(part: str) -> bool:
    return int(part[:2]) <= 24 and int(part[2:]) <= 59


def _phones(text: str, spans: _Spans) -> None:
    public = public_numbers()
    kept: list[tuple[int, int]] = []  # public numbers written with a country code: nothing in them is a phone
    for m in _INTL_PHONE_RE.finditer(text):
        if _national_digits(m.group()) in public:
            kept.append(m.span())
        else:
            spans.add(Finding("telefon", m.start(), m.end()))
    for m in _NO_PHONE_RE.finditer(text):
        raw = m.group()
        national = _national_digits(raw)
        if national[0] in "01" or national in public or _inside(kept, m.start(), m.end()):
            continue
        groups = tuple(len(g) for g in _PHONE_SPLIT_RE.split(raw))
        if groups == (8,) and _is_date(national):
            continue
        if groups == (4, 4):
            first, second = national[:4], national[4:]
            if _YEAR_RE.fullmatch(first) and _YEAR_RE.fullmatch(second):
                continue  # two years: «2020 2024», «1990-2024»
            if raw[4] == "-" and _is_hhmm(first) and _is_hhmm(second):
                continue  # a time range: «2130-2300»
        if groups == (2, 3, 3) and (national.endswith("000000") or _AMOUNT_AFTER_RE.match(text, m.end())):
            continue  # an amount: «25 000 000», «12 345 678 kr»
        spans.add(Finding("telefon", m.start(), m.end()))


def _addresses(text: str, spans: _Spans, protected: list[tuple[int, int]]) -> None:
    for pattern, group in ((_ADDRESS_RE, 0), (_POSTCODE_RE, 1)):
        for m in pattern.finditer(text):
            start, end = m.span(group)
            if not _inside(protected, start, end):
                spans.add(Finding("adresse", start, end))


def _name_base(token: str, names: frozenset[str]) -> str | None:
    """The listed name ``token`` is (itself, a hyphenated pair of names, or a genitive -s), else None."""
    if token in names:
        return token
    if "-" in token:
        return token if all(part in names for part in token.split("-")) else None
    if len(token) > 3 and token.endswith("s") and token[:-1] in names:
        return token[:-1]
    return None


def _is_title(token: str) -> bool:
    """Capitalised, not ALL CAPS."""
    return token[0].isupper() and (len(token) == 1 or not token[1:].replace("-", "").isupper())


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _cue_before(text: str, start: int) -> bool:
    """A cue phrase ends right before ``start`` (only spaces and one «,» or «:» in between)."""
    lo = max(0, start - 60)
    tail = text[lo:start].rstrip()
    if tail.endswith((",", ":")):
        tail = tail[:-1]
    words = tail.lower().split()
    if lo > 0:
        words = words[1:]  # the first word may be cut off
    for n in (1, 2, 3):
        last = words[-n:]
        if len(last) < n or not last[0].isalpha():
            return False
        if " ".join(last) in _CUES[n]:
            return True
    return False


def _surname_end(text: str, end: int, spans: _Spans, protected: list[tuple[int, int]]) -> int:
    """Extend a name over up to two capitalised words right after it (surname, second name, initial)."""
    for _ in range(2):
        m = _NEXT_TOKEN_RE.match(text, end)
        if not m:
            break
        token = m.group(1)
        if token in _NOT_SURNAME or not _is_title(token):
            break
        if spans.overlaps(m.start(1), m.end(1)) or _inside(protected, m.start(1), m.end(1)):
            break
        end = m.end(1)
    return end


def _ambiguous_is_name(text: str, start: int, end: int, names: frozenset[str], has_surname: bool) -> bool:
    """The context rules for a name that is also a common word."""
    if has_surname or _cue_before(text, start):
        return True
    m = _AND_NAME_RE.match(text, end)
    if m and m.group(1) not in AMBIGUOUS_NAMES and _name_base(m.group(1), names):
        return True  # «Liv og Kari»
    if _sentence_start(text, start):
        return False
    before = text[max(0, start - 40) : start].split()
    if before:
        word = before[-1]
        if word.endswith("]") or any(c.isdigit() for c in word):
            return False  # after a number or a placeholder: «17 Mai», «[telefon] Mai»
        blockers = _MONTH_BLOCKERS if text.startswith("Mai", start) else _BLOCKERS
        if word.strip(_PUNCT).lower() in blockers:
            return False
    return True  # a capital letter mid-sentence


def _names(
    text: str, low: str, spans: _Spans, protected: list[tuple[int, int]], keep: frozenset[str]
) -> None:
    names = first_names() - keep if keep else first_names()
    if "het" in low or "navn" in low or "kall" in low:  # cheap check before the costlier pattern
        for m in _STRONG_CUE_RE.finditer(text):
            token, start, end = m.group(1), m.start(1), m.end(1)
            titled = "-".join(part.capitalize() for part in token.split("-"))
            if token in keep or titled in keep:
                continue
            if _is_title(token):
                end = _surname_end(text, end, spans, protected)
            elif _name_base(titled, names) is None:
                continue
            if not _inside(protected, start, end):
                spans.add(Finding("navn", start, end))
    skip_to = 0
    for m in _TOKEN_RE.finditer(text):
        start, end = m.span()
        token = m.group()
        if start < skip_to or not token[0].isupper():
            continue
        base = _name_base(token, names)
        if base is None or token in keep or not _is_title(token):
            continue
        if spans.overlaps(start, end) or _inside(protected, start, end):
            continue
        new_end = _surname_end(text, end, spans, protected)
        if base in AMBIGUOUS_NAMES and not _ambiguous_is_name(text, start, end, names, new_end > end):
            continue
        if spans.add(Finding("navn", start, new_end)):
            skip_to = new_end


def _keep_set(keep: Iterable[str]) -> frozenset[str]:
    if isinstance(keep, str):
        keep = [keep]
    return frozenset(k for k in keep if isinstance(k, str) and k)


def find_personal_data(text: str, *, keep: Iterable[str] = ()) -> list[Finding]:
    """All personal data in ``text``: non-overlapping findings, sorted by position.

    ``keep``: names that are not personal data here and stay as they are, e.g. the alias of the fictional
    caller in a simulation scenario («Ida»).
    """
    text = _check_str(text, "find_personal_data")
    if not text:
        return []
    spans = _Spans()
    protected: list[tuple[int, int]] = []  # allowlisted URLs: no names or addresses inside them
    low = text.lower()
    _urls(text, low, spans, protected)
    if "@" in text or "at)" in low or "at]" in low or "at}" in low:
        _emails(text, spans)
    if _DIGIT_RE.search(text):
        digits = len(_DIGIT_RE.findall(text))
        if digits >= 11:
            _fodselsnummer(text, spans)
        if digits >= 6:
            _phones(text, spans)
        _addresses(text, spans, protected)
    _names(text, low, spans, protected, _keep_set(keep))
    return list(spans.items)


def _apply(text: str, findings: Iterable[Finding]) -> str:
    out, pos = [], 0
    for f in findings:
        out.append(text[pos : f.start])
        out.append(PLACEHOLDERS[f.kind])
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def scrub(text: str, *, keep: Iterable[str] = ()) -> str:
    """``text`` with all personal data replaced by placeholders (``[telefon]``, ``[navn]`` …).

    ``keep``: names to leave alone (see ``find_personal_data``).
    """
    text = _check_str(text, "scrub")
    return _apply(text, find_personal_data(text, keep=keep))


def scrub_report(text: str, *, keep: Iterable[str] = ()) -> tuple[str, dict[str, int]]:
    """The scrubbed text, and how many of each kind were replaced (every kind in ``KINDS``, 0 if none)."""
    text = _check_str(text, "scrub_report")
    findings = find_personal_data(text, keep=keep)
    counts = dict.fromkeys(KINDS, 0)
    for f in findings:
        counts[f.kind] += 1
    return _apply(text, findings), counts
