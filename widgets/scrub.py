"""Free-text scrubber: take personal data out of what a learner writes before it is stored or sent anywhere.

Every piece of personal data found is replaced by a typed placeholder in Norwegian square brackets::

    >>> scrub("Ring meg på 987 65 432 eller skriv til ola@example.no")
    'Ring meg på [telefon] eller skriv til [e-post]'

Kinds and placeholders (``KINDS`` / ``PLACEHOLDERS``):

``lenke``          URLs (``http://``, ``https://``, ``www.`` and bare ``domain.tld/path``), except the help-line sites
                   learners are taught (``ALLOWED_DOMAINS``)
``e-post``         e-mail addresses (also ``ola(at)example.no`` / ``ola [at] example.no``)
``fødselsnummer``  11-digit fødselsnummer and D-nummer (optionally ``DDMMYY NNNNN``) with valid mod-11 control digits
``telefon``        Norwegian 8-digit numbers in the usual groupings, with or without ``+47`` / ``0047``, and other
                   ``+``/``00``-prefixed international numbers; never the public help-line numbers (``PUBLIC_NUMBERS``)
``adresse``        street address with house number («Storgata 12», «Kirkeveien 5B», «Karl Johans gate 1»), with an
                   optional postcode and place («, 0155 Oslo»); also a lone «NNNN Place» after a comma or on its own line
``navn``           first names from ``data/names/fornavn.txt`` written with a capital letter, plus the capitalised
                   word(s) right after them (the surname); any capitalised word after «jeg heter», «navnet mitt er» …

Decisions worth knowing:

* An 11-digit number with invalid control digits is *not* a fødselsnummer and is left alone (it is not a phone number
  either); bank account numbers and organisation numbers are not scrubbed.
* Numbers with fewer than 8 digits are never phone numbers (113, 116 123, 02800, years, times, ages, quiz scores).
  8-digit candidates that start with 0 or 1, look like dates (20240312, 12032024), two years (2020-2024), a time
  range (2130-2300) or an amount in thousands (25 000 000) are left alone.
* Names that are also common words (``AMBIGUOUS_NAMES``: Liv, Dag, Sol, Mai, Per, Hans …) need name-like context: a
  cue before them («heter», «søsteren min», «hei» …), a surname after them, «og <navn>» after them, or a capital
  letter in the middle of a sentence that is not explained by the word before it («God Dag», «i Mai», «mitt Liv»).
  At the start of a sentence an ambiguous name without such context is kept («Liv er viktig»).
* Placeholders are never scrubbed again, so ``scrub(scrub(x)) == scrub(x)``.

The detectors run in priority order (lenke, e-post, fødselsnummer, telefon, adresse, navn); a later match that
overlaps an earlier one is dropped. Regexes are compiled at import; the name list and the allowlists from
``data/helplines.yaml`` are loaded lazily, once (``reload_allowlists()`` clears the caches).
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
#: Placeholder text per kind.
PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS}

#: Emergency and help-line numbers learners are taught; never scrubbed. Compared digits-only, without country code.
BUILTIN_PUBLIC_NUMBERS: frozenset[str] = frozenset(
    {
        "110",  # brann
        "112",  # politi
        "113",  # ambulanse
        "116006",  # hjelpetelefon for kriminalitetsutsatte
        "116111",  # Alarmtelefonen for barn og unge
        "116117",  # legevakt
        "116123",  # Mental Helse Hjelpetelefonen
        "02800",  # politiet, ikke-akutt
        "80033321",  # Kors på halsen (Røde Kors)
        "80057000",
        "22400040",  # Kirkens SOS
        "22591300",  # Giftinformasjonen
    }
)

#: Help-line and public-service sites learners are taught; URLs on these domains (and their subdomains) are kept.
BUILTIN_ALLOWED_DOMAINS: frozenset[str] = frozenset(
    {
        "sidetmedord.no",
        "mentalhelse.no",
        "116111.no",
        "116117.no",
        "kirkens-sos.no",
        "soschat.no",
        "rusinfo.no",
        "korspahalsen.no",
        "rodekors.no",
        "ldo.no",
        "ung.no",
        "helsenorge.no",
        "helsedirektoratet.no",
        "dinutvei.no",
        "leve.no",
        "vfb.no",
        "politiet.no",
        "krisesenter.com",
    }
)

#: First names that are also common Norwegian (or English) words: scrubbed only in a name-like context.
AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    {
        "Ane", "Are", "Ask", "Bo", "Brede", "Dag", "Eli", "Endre", "Even", "Finn", "Gard", "Gro", "Hans", "Hege",
        "Iver", "Kai", "Kaia", "Lene", "Line", "Liv", "Live", "Lykke", "Mai", "Mette", "Odd", "Per", "Rosa", "Rose",
        "Rune", "Signe", "Siv", "Sol", "Stein", "Stig", "Storm", "Tom", "Tone", "Vår",
    }
)  # fmt: skip

# ---------------------------------------------------------------------------------------------------------------
# Data: allowlists and names (lazy, cached)


def _data_dirs() -> list[Path]:
    """The repository's data folder, then the course directory's (``TRYGGE_COURSE_DIR``) if it is another one."""
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
    """Digits only, without a Norwegian country code (``+47`` / ``0047`` / ``47`` before 8 digits)."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("0047") and len(digits) > 4:
        return digits[4:]
    if digits.startswith("47") and len(digits) == 10:
        return digits[2:]
    return digits


def _walk(node: Any, keys: frozenset[str]) -> Iterator[Any]:
    """Yield every value stored under one of ``keys`` anywhere in a parsed YAML tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys:
                yield from (value if isinstance(value, list) else [value])
            if isinstance(value, (dict, list)):
                yield from _walk(value, keys)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, keys)


@functools.cache
def _helplines() -> tuple[Any, ...]:
    """Parsed ``helplines.yaml`` files (missing or broken files are skipped: the built-in sets still apply)."""
    trees = []
    for folder in _data_dirs():
        path = folder / "helplines.yaml"
        try:
            if not path.is_file():
                continue
            import yaml  # local: only needed when the file exists

            trees.append(yaml.safe_load(path.read_text(encoding="utf-8")))
        except Exception as exc:  # noqa: BLE001 - the scrubber must keep working with a broken directory file
            warnings.warn(f"scrub: could not read {path}: {exc}", RuntimeWarning, stacklevel=2)
    return tuple(trees)


@functools.cache
def public_numbers() -> frozenset[str]:
    """``PUBLIC_NUMBERS``: the built-in set plus every ``phone`` in ``data/helplines.yaml`` (digits only)."""
    numbers = set(BUILTIN_PUBLIC_NUMBERS)
    for tree in _helplines():
        for value in _walk(tree, frozenset({"phone", "sms"})):
            if isinstance(value, (str, int)):
                for part in re.split(r"[,/;]|\beller\b|\bog\b", str(value)):
                    digits = _national_digits(part)
                    if len(digits) >= 3:
                        numbers.add(digits)
    return frozenset(numbers)


def _host(url: str) -> str:
    """Lower-case host of a URL-ish string, without scheme, user info, port and leading ``www.``."""
    rest = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower())
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in host:
        return ""  # user info in the URL: never treat as an allowlisted site
    host = host.split(":", 1)[0].rstrip(".")
    return host[4:] if host.startswith("www.") else host


@functools.cache
def allowed_domains() -> frozenset[str]:
    """``ALLOWED_DOMAINS``: the built-in set plus the chat/web addresses in ``data/helplines.yaml``."""
    domains = set(BUILTIN_ALLOWED_DOMAINS)
    for tree in _helplines():
        for value in _walk(tree, frozenset({"chat", "web", "url", "website", "homepage", "nettside"})):
            if isinstance(value, str) and "." in value:
                host = _host(value)
                if host and " " not in host:
                    domains.add(host)
    return frozenset(domains)


def _read_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line)
    return names


@functools.cache
def first_names() -> frozenset[str]:
    """The first-name list (``data/names/fornavn.txt``, plus the course directory's, if any), loaded once."""
    names: set[str] = set(AMBIGUOUS_NAMES)
    found = False
    for folder in _data_dirs():
        path = folder / "names" / "fornavn.txt"
        if path.is_file():
            names |= _read_names(path)
            found = True
    if not found:
        warnings.warn("scrub: data/names/fornavn.txt is missing; names are not scrubbed", RuntimeWarning, stacklevel=2)
    return frozenset(names)


def reload_allowlists() -> None:
    """Forget the cached name list and allowlists (after ``helplines.yaml`` or ``TRYGGE_COURSE_DIR`` changed)."""
    for cached in (_helplines, public_numbers, allowed_domains, first_names):
        cached.cache_clear()


def __getattr__(name: str) -> frozenset[str]:
    """``PUBLIC_NUMBERS``, ``ALLOWED_DOMAINS`` and ``FIRST_NAMES`` are computed on first use."""
    if name == "PUBLIC_NUMBERS":
        return public_numbers()
    if name == "ALLOWED_DOMAINS":
        return allowed_domains()
    if name == "FIRST_NAMES":
        return first_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------------------------
# Fødselsnummer

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def valid_fodselsnummer(digits: str) -> bool:
    """True if ``digits`` is an 11-digit fødselsnummer or D-nummer with valid mod-11 control digits.

    Spaces (and one ``-``) between the digits are ignored. Only the control digits are checked (that also covers
    D-nummer, H-nummer and synthetic test numbers), plus a sanity check that the birth date is not ``000000``.
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


# ---------------------------------------------------------------------------------------------------------------
# Patterns (compiled once)

_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"  # capital letters (the Latin Extended-A range also holds lower case: checked with isupper)
_WORD = r"[^\W\d_]"  # a letter

_URL_RE = re.compile(
    r"(?<![\w@.])(?:(?:https?|ftp)://|www\.)[^\s<>\"'«»\[\]{}|\\^`]+"
    r"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:no|com|net|org|io|me|se|dk|nu|info|tv|app|ly|gl|be|co|uk|de|eu|fi|is)/[^\s<>\"'«»\[\]{}|\\^`]*",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?: ?@ ?| ?[(\[{]at[)\]}] ?)(?:[\w-]+\.)+[A-Za-z]{2,}(?![\w-])",
    re.IGNORECASE,
)
_FNR_RE = re.compile(r"(?<!\d)(?<!\d[.,])\d{6}[ \u00a0-]?\d{5}(?!\d)(?![.,]\d)")

_S = r"[ .\-\u00a0]"  # one separator inside a phone number
_INTL_PHONE_RE = re.compile(
    rf"(?<![\w+])(?:\(\s?)?(?:\+|00)\s?\d{{1,3}}(?:\s?\))?{_S}?\d(?:{_S}?\d){{5,11}}(?!\d)"
)
_NO_PHONE_RE = re.compile(
    rf"(?<!\d)(?<!\d[.,])"
    rf"(?:47\d{{8}}|\d{{8}}|\d{{3}}{_S}\d{{2}}{_S}\d{{3}}|\d{{2}}{_S}\d{{2}}{_S}\d{{2}}{_S}\d{{2}}"
    rf"|\d{{3}}{_S}\d{{3}}{_S}\d{{2}}|\d{{2}}{_S}\d{{3}}{_S}\d{{3}}|\d{{4}}{_S}\d{{4}})"
    rf"(?!\d)(?![.,]\d)"
)
_PHONE_SPLIT_RE = re.compile(_S)
_AMOUNT_AFTER_RE = re.compile(r"\s?(?:kr\b|kroner|nok\b|,-|mill|personer|mennesker|innbyggere|%)", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")

# Street addresses. Case A: one compound word ending in a street suffix («Storgata», «Kirkeveien»);
# case B: capitalised words followed by a separate suffix word («Karl Johans gate», «Bygdøy allé»).
_STREET_SUFFIX_A = (
    r"(?:gata|gate|gaten|gt\.|veien|vegen|vei|veg|vn\.|allé|plass|plassen|stien|bakken|bakke|torget|torg|brygga"
    r"|bryggen|brygge|kaia|kaien|svingen|ringen|kroken|løkka|jordet|tunet|grenda|myra|parken|park|terrassen"
    r"|promenaden|kleiva|lia)"
)
_STREET_SUFFIX_B = (
    r"(?i:gate|gata|gaten|gt\.|vei|veien|veg|vegen|vn\.|allé|alle|plass|plassen|terrasse|torg|park|bakke|brygge"
    r"|sti|kai|ring)"
)
_NOT_STREET_WORD = (
    r"(?!(?:I|Jeg|Du|Vi|Han|Hun|Hen|De|Det|Den|Dere|Og|Men|Ring|Ringte|Bor|Bodde|På|Til|Fra|Ved|Mitt|Min|Mi|Hei"
    r"|Adressen|Adresse)\s)"
)
_HOUSE_NO = r"\d{1,4}(?!\d)(?:\s?-\s?\d{1,4})?(?:[A-Za-z](?!\w)|\s[A-H](?!\w))?"
_PLACE = rf"[{_UP}]{_WORD}+(?:-[{_UP}]{_WORD}+|\s(?:i|på)\s[{_UP}]{_WORD}+)?"
_POSTCODE_STOP = (
    r"(?!(?:Jeg|Du|Vi|Han|Hun|Hen|De|Det|Den|Dette|Der|Her|Men|Og|Så|Da|Nå|Hvis|Om|Kl|Klokka|Etter|Før|Siden"
    r"|I|På|Til|Fra|Med|For|Som|Var|Er|Har|Hadde)\b)"
)
_ADDRESS_RE = re.compile(
    rf"(?<!\w)(?:(?:Øvre|Nedre|Gamle|Nye|Store|Lille|Nordre|Søndre|Vestre|Østre|Indre|Ytre|Sankt|St\.)\s+)?"
    rf"(?:[{_UP}]{_WORD}*{_WORD}{_STREET_SUFFIX_A}"
    rf"|(?:{_NOT_STREET_WORD}[{_UP}][\w'.-]*\s+){{1,4}}{_STREET_SUFFIX_B})"
    rf"\s+{_HOUSE_NO}"
    rf"(?:(?:,\s*|\s+)\d{{4}}\s+{_POSTCODE_STOP}{_PLACE})?"
)
_POSTCODE_RE = re.compile(rf"(?:(?<=,)[ \t]*|(?:^|(?<=\n))[ \t]*)(\d{{4}}\s+{_POSTCODE_STOP}{_PLACE})", re.MULTILINE)

# Names.
_TOKEN_RE = re.compile(rf"(?<!\w)[{_UP}]{_WORD}*(?:-[{_UP}]{_WORD}*)*(?!\w)")
_NEXT_TOKEN_RE = re.compile(rf"[ \u00a0]+([{_UP}]{_WORD}+(?:-[{_UP}]{_WORD}+)*|[A-ZÆØÅ]\.)(?!\w)")
_AND_NAME_RE = re.compile(rf"\s+(?:og|&)\s+([{_UP}]{_WORD}+)(?!\w)")
_SURNAME_STOPWORDS = frozenset(
    """I Jeg Du Han Hun Hen Vi Dere De Det Den Der Dette Denne Her Og Men Så Som Er Var Har Hadde Skal Vil Kan Må
    På Til Fra Med Om For Av Hei Hallo Hilsen Mvh Takk Ja Nei Ok Okei Da Nå Når Hvis Hva Hvem Hvor Hvordan Hvorfor
    Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Herre Gud Jesus Kirkens Mental Helse Røde Kors""".split()
)
_STRONG_CUE = (
    r"(?:\b(?:jeg|han|hun|hen|du|vi|min|mi|mitt|hans|hennes|hens|sin|si)\s+(?:heter|het)"
    r"|\b(?:heter|het)\s+(?:jeg|han|hun|hen|du)"
    r"|\bnavnet\s+(?:mitt\s+|hans\s+|hennes\s+|hens\s+|ditt\s+|vårt\s+)?er"
    r"|\bmitt\s+navn\s+er|\bkall\s+meg|\bkallenavnet\s+(?:mitt\s+)?er)"
)
_STRONG_CUE_RE = re.compile(
    _STRONG_CUE + rf"\s*[,:]?\s*({_WORD}+(?:-{_WORD}+)*)(?!\w)",
    re.IGNORECASE,
)
_RELATION = (
    r"(?:søster|søstera|søsteren|bror|broren|kjæreste|kjæresten|venninne|venninna|venninnen|venn|vennen|kompis"
    r"|kompisen|kone|kona|mann|mannen|samboer|samboeren|ektefelle|ektefellen|partner|partneren|datter|datteren"
    r"|dattera|sønn|sønnen|mor|moren|mora|far|faren|mamma|pappa|bestemor|bestefar|mormor|morfar|farmor|farfar"
    r"|onkel|tante|fetter|kusine|nabo|naboen|lærer|læreren|sjef|sjefen|kollega|kollegaen|eksen|barnet|jenta"
    r"|gutten|kontaktperson|kontaktpersonen|fastlege|fastlegen|psykolog|psykologen|veileder|veilederen"
    r"|terapeut|terapeuten|klient|klienten|innringer|innringeren)"
)
_CUE_RE = re.compile(
    r"(?:" + _STRONG_CUE
    + r"|\b(?:heter|het|kalles|jeg\s+er|dette\s+er|her\s+er|det\s+er|det\s+var)"
    + r"|\b(?:min|mi|mitt|vår|din|di|ditt|hans|hennes|deres|sin|si)\s+" + _RELATION
    + r"|\b" + _RELATION + r"(?:\s+(?:min|mi|mitt|vår|din|di|ditt|hans|hennes|deres|sin|si))?"
    + r"|\b(?:hei|hallo|heisann|hilsen|mvh|kjære|takk|kontakt|kontakte|kontaktet|ring|ringe|ringte|spør\s+etter"
    + r"|spurte\s+etter|snakke\s+med|snakket\s+med|sammen\s+med|møtte|traff))"
    + r"\s*[,:]?\s*$",
    re.IGNORECASE,
)
# Words after which a capitalised ambiguous name mid-sentence is more likely the common word («God Dag», «i Mai»).
_BLOCKERS = frozenset(
    """god godt gode i hver hvert hele en ei et den det denne dette min mitt mi mine din ditt di dine sin sitt si
    sine vår vårt våre deres hans hennes ny nytt nye neste forrige samme per om innen siden fra til før etter
    nytt eget egen lite mye noe all alt""".split()
)
_PREV_WORD_RE = re.compile(r"(\S+)\s*$")
_SENTENCE_END = frozenset(".!?…:;\n")
_OPENERS = frozenset(" \t\r\u00a0\"'«»“”‘’([{-–—*_>•")

# ---------------------------------------------------------------------------------------------------------------
# Findings


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` is of ``kind`` (one of ``KINDS``)."""

    kind: str
    start: int
    end: int


class _Spans:
    """Accepted, non-overlapping spans, kept sorted."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.items: list[Finding] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i and self.items[i - 1].end > start:
            return True
        return i < len(self.items) and self.items[i].start < end

    def add(self, finding: Finding) -> bool:
        if finding.end <= finding.start or self.overlaps(finding.start, finding.end):
            return False
        i = bisect.bisect_right(self.starts, finding.start)
        self.starts.insert(i, finding.start)
        self.items.insert(i, finding)
        return True


def _check_str(text: object, func: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{func}() expects str, got {type(text).__name__}")
    return str.__str__(text)  # a plain str, also for str subclasses (e.g. markup)


def _urls(text: str, spans: _Spans, protected: list[tuple[int, int]]) -> None:
    allowed = allowed_domains()
    for m in _URL_RE.finditer(text):
        url = m.group()
        # Trailing sentence punctuation is not part of the URL; a closing bracket only if it has no partner.
        while url and url[-1] in ".,;:!?'\")»":
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if not url:
            continue
        start, end = m.start(), m.start() + len(url)
        host = _host(url)
        if host and any(host == d or host.endswith("." + d) for d in allowed):
            protected.append((start, end))
            continue
        spans.add(Finding("lenke", start, end))


def _emails(text: str, spans: _Spans) -> None:
    for m in _EMAIL_RE.finditer(text):
        spans.add(Finding("e-post", m.start(), m.end()))


def _fodselsnummer(text: str, spans: _Spans) -> None:
    for m in _FNR_RE.finditer(text):
        if valid_fodselsnummer(m.group()):
            spans.add(Finding("fødselsnummer", m.start(), m.end()))


def _is_date(digits: str) -> bool:
    """8 digits that read as YYYYMMDD or DDMMYYYY (19xx/20xx)."""

    def ok(y: str, mth: str, d: str) -> bool:
        return y[:2] in ("19", "20") and 1 <= int(mth) <= 12 and 1 <= int(d) <= 31

    return ok(digits[:4], digits[4:6], digits[6:]) or ok(digits[4:], digits[2:4], digits[:2])


def _is_hhmm(part: str) -> bool:
    return int(part[:2]) <= 24 and int(part[2:]) <= 59


def _phones(text: str, spans: _Spans) -> None:
    public = public_numbers()
    for m in _INTL_PHONE_RE.finditer(text):
        if _national_digits(m.group()) not in public:
            spans.add(Finding("telefon", m.start(), m.end()))
    for m in _NO_PHONE_RE.finditer(text):
        raw = m.group()
        national = _national_digits(raw)
        if national[0] in "01" or national in public:
            continue
        groups = tuple(len(g) for g in _PHONE_SPLIT_RE.split(raw))
        if groups == (8,) and _is_date(national):
            continue
        if groups == (4, 4):
            a, b = national[:4], national[4:]
            if _YEAR_RE.fullmatch(a) and _YEAR_RE.fullmatch(b):
                continue  # two years: «2020 2024», «1990-2024»
            if raw[4] == "-" and _is_hhmm(a) and _is_hhmm(b):
                continue  # a time range: «2130-2300»
        if groups == (2, 3, 3) and (national.endswith("000000") or _AMOUNT_AFTER_RE.match(text, m.end())):
            continue  # an amount: «25 000 000», «12 345 678 kr»
        spans.add(Finding("telefon", m.start(), m.end()))


def _addresses(text: str, spans: _Spans, protected: list[tuple[int, int]]) -> None:
    for rx, group in ((_ADDRESS_RE, 0), (_POSTCODE_RE, 1)):
        for m in rx.finditer(text):
            start, end = m.span(group)
            if not _inside(protected, start, end):
                spans.add(Finding("adresse", start, end))


def _inside(protected: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in protected)


def _name_base(token: str, names: frozenset[str]) -> str | None:
    """The listed name ``token`` stands for (itself, its hyphen parts, or its genitive without -s), or None."""
    if token in names:
        return token
    if "-" in token:
        parts = token.split("-")
        if all(p in names for p in parts):
            return token
        return None
    if len(token) > 3 and token.endswith("s") and token[:-1] in names:
        return token[:-1]
    return None


def _is_title(token: str) -> bool:
    return token[0].isupper() and (len(token) == 1 or not token[1:].replace("-", "").isupper())


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i < 0:
        return True
    # a newline between the previous word and this one also starts a new sentence (a new line)
    return text[i] in _SENTENCE_END or "\n" in text[i + 1 : start]


def _surname_end(text: str, end: int, spans: _Spans, protected: list[tuple[int, int]], limit: int = 2) -> int:
    """Extend a name over the capitalised word(s) right after it (the surname, a second first name)."""
    for _ in range(limit):
        m = _NEXT_TOKEN_RE.match(text, end)
        if not m:
            break
        token = m.group(1)
        if token in _SURNAME_STOPWORDS or not _is_title(token):
            break
        if spans.overlaps(m.start(1), m.end(1)) or _inside(protected, m.start(1), m.end(1)):
            break
        end = m.end(1)
    return end


def _ambiguous_is_name(text: str, start: int, end: int, names: frozenset[str], extended: bool) -> bool:
    """Context rules for a name that is also a common word."""
    if extended:
        return True  # followed by a surname-like capitalised word
    if _CUE_RE.search(text, max(0, start - 40), start):
        return True
    m = _AND_NAME_RE.match(text, end)
    if m and _name_base(m.group(1), names) and m.group(1) not in AMBIGUOUS_NAMES:
        return True  # «Liv og Kari»
    if _sentence_start(text, start):
        return False
    prev = _PREV_WORD_RE.search(text, max(0, start - 40), start)
    if prev:
        word = prev.group(1)
        if word.endswith("]") or any(c.isdigit() for c in word):
            return False  # after a number or a placeholder: «17 Mai», «[telefon] Mai»
        if word.strip("\"'«»“”‘’()[]{},").lower() in _BLOCKERS:
            return False
    return True  # a capital letter mid-sentence


def _names(text: str, spans: _Spans, protected: list[tuple[int, int]]) -> None:
    names = first_names()
    if not names:
        return
    # After a strong cue («jeg heter», «navnet mitt er») any capitalised word is a name, and so is a listed name
    # written in lower case.
    if "het" in text or "navn" in text or "kall" in text or "HET" in text or "NAVN" in text:
        for m in _STRONG_CUE_RE.finditer(text):
            token, start, end = m.group(1), m.start(1), m.end(1)
            if _is_title(token):
                end = _surname_end(text, end, spans, protected)
            elif token.capitalize() not in names and "-".join(p.capitalize() for p in token.split("-")) not in names:
                continue
            if not _inside(protected, start, end):
                spans.add(Finding("navn", start, end))
    skip_to = 0
    for m in _TOKEN_RE.finditer(text):
        start, end = m.span()
        if start < skip_to:
            continue
        token = m.group()
        if not token[0].isupper():
            continue
        base = _name_base(token, names)
        if base is None or spans.overlaps(start, end) or _inside(protected, start, end):
            continue
        if not _is_title(token):
            continue  # ALL CAPS
        new_end = _surname_end(text, end, spans, protected)
        if base in AMBIGUOUS_NAMES and not _ambiguous_is_name(text, start, end, names, new_end > end):
            continue
        if spans.add(Finding("navn", start, new_end)):
            skip_to = new_end


def find_personal_data(text: str) -> list[Finding]:
    """All personal data in ``text``: non-overlapping findings, sorted by position."""
    text = _check_str(text, "find_personal_data")
    spans = _Spans()
    if not text:
        return []
    protected: list[tuple[int, int]] = []  # allowlisted URLs: no names or addresses inside them
    if "." in text or "/" in text:
        _urls(text, spans, protected)
    if "@" in text or "at" in text.lower():
        _emails(text, spans)
    if any(c.isdigit() for c in text):
        _fodselsnummer(text, spans)
        _phones(text, spans)
        _addresses(text, spans, protected)
    _names(text, spans, protected)
    return list(spans.items)


def _apply(text: str, findings: Iterable[Finding]) -> str:
    out, pos = [], 0
    for f in findings:
        out.append(text[pos : f.start])
        out.append(PLACEHOLDERS[f.kind])
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def scrub(text: str) -> str:
    """``text`` with every piece of personal data replaced by its placeholder (``[telefon]``, ``[navn]`` …)."""
    text = _check_str(text, "scrub")
    return _apply(text, find_personal_data(text))


def scrub_report(text: str) -> tuple[str, dict[str, int]]:
    """The scrubbed text and how many findings of each kind were replaced (every kind in ``KINDS``, 0 if none)."""
    text = _check_str(text, "scrub_report")
    findings = find_personal_data(text)
    counts = dict.fromkeys(KINDS, 0)
    for f in findings:
        counts[f.kind] += 1
    return _apply(text, findings), counts
