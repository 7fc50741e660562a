"""The coach: labels what a learner says in a helping conversation (Norwegian bokmål first, English second).

Labels follow OARS / MITI categories plus what a crisis line needs: asking directly about suicide, referral and safety
planning, and the pitfalls (unasked-for advice, minimising). An utterance can carry several labels. This module is
rule-based and offline; it is the same in scripted and language-model mode, so feedback never depends on a model.
"""

from __future__ import annotations

import re
import unicodedata

LABELS: tuple[str, ...] = (
    "open_question",
    "closed_question",
    "reflection",
    "affirmation",
    "summary",
    "suicide_question",
    "advice",
    "minimizing",
    "referral",
    "safety_planning",
)


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Norwegian (bokmål) and English cues. Word boundaries use \b, which in Python's re is Unicode-aware (æøå).
_OPEN_START = _rx(
    r"^(hva|hvordan|hvorfor|hvilke[nt]?|hvor\s+(mye|lenge|ofte)|på hvilken måte|fortell|kan du (si|fortelle|beskrive) (litt )?(mer|om)|"
    r"beskriv|si (litt )?mer|hvem)\b",
    r"^(what|how|why|which|tell me|describe|could you tell|can you tell|in what way|who)\b",
)
_CLOSED_START = _rx(
    r"^(er|har|kan|vil|skal|går|gikk|føler|tenker|tenkte|liker|bor|gjør|gjorde|bruker|var|hadde|ville|kunne|skulle|"
    r"trenger|ønsker|vet|mener|synes|tror|får|fikk|sover|spiser|jobber|prøver|prøvde|snakker|opplever|merker)\b",
    r"^(is|are|do|does|did|have|has|had|can|could|will|would|should|was|were|am)\b",
)
_SUICIDE = _rx(
    r"selvmord", r"ta livet", r"tar livet", r"tatt livet", r"livet ditt", r"(ønsker|vil|lyst) (å )?dø", r"tanker om å dø",
    r"ikke (vil|orker å) leve", r"skade deg selv", r"gjøre deg selv noe", r"gjøre noe med deg selv",
    r"suicid", r"kill(ing)? (yourself|your self)", r"end your life", r"take your (own )?life", r"want(ing)? to die",
    r"harm(ing)? yourself", r"hurt(ing)? yourself",
)
_REFLECTION_START = _rx(
    r"^(det )?(høres|hørtes) (det )?(ut|ut som)\b", r"^det (virker|kan virke|later til|kjennes|føles|er som om)\b",
    r"^(så )?du (sier|føler|kjenner|opplever|har|er|savner|bærer|tenker|lurer|synes|vil|ønsker|strever|står|ble|var)\b",
    r"^jeg (hører|forstår) (at|det som|deg)\b", r"^så (det|du)\b", r"^(det )?(høres|virker) (tungt|vondt|vanskelig|ensomt)\b",
    r"^(it )?sounds like\b", r"^it (seems|feels) (like|as if)\b", r"^you('re| are| feel| have| say| sound| seem)\b",
    r"^so you\b", r"^i hear (that|you)\b",
)
_AFFIRMATION = _rx(
    r"takk for at du", r"(det er|det var|så) (modig|sterkt|bra|fint|godt) (av deg|at du)", r"du har (stått|klart|kjempet|holdt ut)",
    r"(jeg er |så )?glad (for )?at du (tok|tar|skrev|ringte|sier|forteller)", r"modig av deg", r"det krever mot",
    r"du gjør (det )?(så )?(godt|bra|riktig)", r"sterkt av deg",
    r"thank you for", r"(it takes|that took) courage", r"i'?m glad you", r"that('s| is) (brave|strong)", r"you('ve| have) (managed|coped)",
)
_SUMMARY = _rx(
    r"hvis jeg (forstår|har forstått) deg (rett|riktig)", r"(la meg|skal jeg) oppsummere", r"så langt har du (fortalt|sagt)",
    r"du har fortalt (meg )?(at|om).*\bog\b", r"oppsummer", r"om jeg skal samle",
    r"let me summari[sz]e", r"so far you('ve| have) (told|said)", r"to summari[sz]e", r"if i understand (you )?correctly",
)
_ADVICE = _rx(
    r"\bdu (bør|burde|må|skal|skulle) (heller |bare |nok |egentlig )?(prøve|gå|snakke|ringe|ta|finne|slutte|begynne|tenke|si|gjøre|komme|være|få|legge|trene|sove|spise|skrive|melde)",
    r"^prøv (å|heller)", r"\bhva med å\b", r"\bdet beste (er|du kan gjøre)\b", r"\bjeg (synes|mener|syns) du (bør|skal|burde)\b",
    r"\bhar du prøvd å\b", r"\bmitt råd\b", r"^(gå|ring|snakk|ta|finn|slutt|begynn|tenk|si|gjør|kom) (til|med|en|på|deg|å|heller)\b",
    r"\byou (should|need to|must|ought to|have to)\b", r"^try (to|and)\b", r"\bwhy don'?t you\b", r"\bhave you tried\b", r"\bmy advice\b",
)
_MINIMIZING = _rx(
    r"det går (nok )?over", r"andre har det (mye )?verre", r"(det er )?ikke så (farlig|ille|galt)", r"ikke tenk på det",
    r"se (på )?det positive", r"det ordner seg", r"slapp av", r"ta deg sammen", r"alle har det (sånn|slik)", r"du overdriver",
    r"det er bare (en )?fase", r"ikke vær (så )?(lei deg|trist|dum)", r"det kunne vært verre", r"bare (tenk|vær) positiv",
    r"it('ll| will) pass", r"others have it worse", r"don'?t worry", r"(it'?s )?not that bad", r"cheer up", r"look on the bright side",
    r"just a phase", r"calm down", r"get over it",
)
_REFERRAL = _rx(
    r"\b113\b", r"\b112\b", r"116\s?123", r"116\s?111", r"116\s?117", r"116\s?006", r"800\s?33\s?321", r"800\s?57\s?000", r"08588",
    r"legevakt", r"fastlege", r"psykolog", r"helsesykepleier", r"helsestasjon", r"kirkens sos", r"kors på halsen", r"alarmtelefonen",
    r"rusinfo", r"rustelefonen", r"hjelpetelefonen", r"sidetmedord", r"\bleve\b", r"dps\b", r"barnevern", r"krisesenter",
    r"\bros\b", r"mental helse", r"kontakte (en|noen|hjelp|tjenesten|legen)", r"snakke med (en|noen) (profesjonell|fagperson|lege)",
    r"emergency", r"\bdoctor\b", r"\bgp\b", r"helpline", r"hotline", r"psychologist", r"therapist", r"call (an )?ambulance",
)
_SAFETY = _rx(
    r"hva (kan|kunne) hjelpe", r"hva har hjulpet", r"hvem (kan|kunne) (du|være)", r"noen (som kan|du kan) (være|ringe|snakke)",
    r"være (hos|sammen med) deg", r"holde (deg )?(trygg|ut)", r"(sikkerhets|krise|trygghets)plan", r"lage en plan",
    r"gjøre det vanskeligere", r"fjerne (det|dem|tingene|midlene)", r"låse (det |dem )?inn", r"gi (det|dem) bort", r"hva gjør du (når|hvis)", r"komme (deg )?gjennom (natten|kvelden|dette)",
    r"hvem (har du|kan du ringe)", r"hva (holder deg|gir deg håp)", r"grunner til å leve", r"varselsign",
    r"what (could|can|might) help", r"what has helped", r"who (could|can) (be with|you call|support)", r"keep (you )?safe",
    r"safety plan", r"make a plan", r"reasons? (for|to) liv", r"get through (the|this|tonight)", r"(remove|lock away) (it|them|the)",
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip()
    return re.sub(r"\s+", " ", text)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip(" «»\"'–-") for p in parts if p.strip(" «»\"'–-")]


def classify(text: str, lang: str = "nb") -> list[str]:
    """The coach labels for one learner utterance, in the order of :data:`LABELS`.

    ``lang`` is ``"nb"`` or ``"en"``; the rules hold cues for both, so a mixed message is still understood.
    """
    if not isinstance(text, str):
        raise TypeError(f"classify() needs text (str), not {type(text).__name__}")
    if lang not in ("nb", "en"):
        raise ValueError(f"Unknown language {lang!r}: use 'nb' or 'en'")
    text = _normalise(text)
    found: set[str] = set()
    if not text:
        return []
    for sentence in _sentences(text):
        is_question = sentence.endswith("?")
        starts_open = bool(_OPEN_START.search(sentence))
        if is_question or starts_open and len(sentence.split()) > 2:
            if starts_open:
                found.add("open_question")
            elif _CLOSED_START.search(sentence) or is_question:
                found.add("closed_question")
        elif _REFLECTION_START.search(sentence):
            found.add("reflection")
        if _SUICIDE.search(sentence) and (is_question or re.search(r"\b(tenker|tanker|think|thought)", sentence, re.I)):
            found.add("suicide_question")
    if _AFFIRMATION.search(text):
        found.add("affirmation")
    if _SUMMARY.search(text):
        found.add("summary")
    if _ADVICE.search(text):
        found.add("advice")
    if _MINIMIZING.search(text):
        found.add("minimizing")
    if _REFERRAL.search(text):
        found.add("referral")
    if _SAFETY.search(text):
        found.add("safety_planning")
    # «Har du prøvd å …?» is advice dressed as a question: keep both labels, the feedback names both.
    return [label for label in LABELS if label in found]
