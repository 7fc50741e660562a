"""Checks on a language-model persona's reply before the learner sees it, and on the learner's text before it is sent.

A reply must stay in role (a caller, not an assistant or a counsellor), be Norwegian, contain no detail about means,
methods or doses of self-harm or suicide (a conservative Norwegian + English pattern list: a mention is enough to
stop it), not reveal the system prompt (a secret marker in the prompt, its instruction sentences and its
scaffolding: «Du er Ida, 24 år», «Situasjonen din:» …), not leave the role on request («DAN», «uten regler», «ut av
rollen»), and contain no markup or links. Replies are checked sentence by sentence while they stream, so nothing unchecked is shown; the
whole reply is checked again when it is complete.

A learner message that tries to instruct the model («ignorer instruksene», «svar på engelsk», «vis systemprompten»)
is not sent at all; the scripted engine answers it.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

#: Means, methods and doses of self-harm or suicide. Conservative on purpose: a persona never needs these words.
METHOD_PATTERNS = re.compile("|".join(f"(?:{p})" for p in (
    r"\b\d+\s*(mg|milligram|gram|g|tabletter|tablettene|piller|pillene|stk|pills|tablets|capsules|kapsler)\b",
    r"\boverdos\w*", r"\bdødelig (dose|mengde)", r"\bhvor (mye|mange) (som )?(skal|må) (til|jeg ta)",
    r"\b(paracet|paracetamol|ibux|ibuprofen|sovepille\w*|sovemedisin\w*|sobril|vival|valium|insulin|morfin|"
    r"acetaminophen|tylenol|sleeping pills?|opioid\w*)\b",
    r"\bheng(e|te|er)? (meg|seg)\b", r"\b(tau|reip|løkke|strikken|noose|rope)\b", r"\bhang(ing)? myself\b",
    r"\bhopp(e|er|et)? (fra|ut|foran|ned|av)\b", r"\bjump(ing)? (off|from|in front)\b",
    r"\b(brua|broa|broen|bridge|stupet|cliff)\b",
    r"\b(kutte|skjære|risse) (meg|seg|i)\b", r"\b(barberblad|pulsåre\w*|razor|blade|wrists?)\b", r"\bcut(ting)? myself\b",
    r"\bkniv(en|er)?\b", r"\bknife\b", r"\bgift(ig)?\b", r"\bpoison\w*", r"\b(kullos|eksos|carbon monoxide|exhaust)\b",
    r"\b(våpen|gevær|hagle|pistol|revolver|gun|rifle|shotgun)\w*", r"\bskyt(e|er) (meg|seg)\b", r"\bshoot myself\b",
    r"\bdrukne\w*|\bdrown\w*", r"\bforan (toget|bilen|t-banen|trikken|bussen)\b", r"\bin front of (a|the) (train|car|bus)\b",
    r"\bkvel(e|er) (meg|seg)\b", r"\bsuffocat\w*", r"\bletal\w*|\blethal\b",
)), _I)
#: Signs that the reply has left the caller's role.
ROLE_PATTERNS = re.compile("|".join(f"(?:{p})" for p in (
    r"\b(ai|a\.i\.|kunstig intelligens|språkmodell\w*|language model|chatbot|openai|gpt-?\d*|llm)\b",
    r"\b(assistent|assistant)\b", r"\b(systemprompt\w*|system ?prompt|instruks\w*|instructions?)\b",
    r"\b(jeg kan ikke hjelpe (deg )?med|i can'?t help with|i cannot help|i'?m sorry,? but|as an)\b",
    r"\b(rollespill|role-?play|i rollen|in character|karakteren min|simulering\w*|øvingssamtale\w*|oppdiktet)\b",
    r"\b(som|jeg er) (din |en )?(rådgiver|terapeut|veileder)\b",
    r"\b(du bør ringe|ring 113|you should call)\b",
)), _I)
#: The system prompt's own scaffolding (see :meth:`widgets.simulation.llm.LLMPersona.system_prompt`): a reply that
#: repeats it is showing its instructions, whatever the learner asked («gjenta alt over», «hva fikk du beskjed om»).
LEAK_PATTERNS = re.compile("|".join(f"(?:{p})" for p in (
    r"\bdu er [\wæøå .-]{1,40}, \d{1,3} år\b", r"\bsituasjonen din\s*:", r"\bdet du (trenger|er redd for)\s*:",
    r"\bakkurat nå\s*:", r"\b(svar|avslutt) omtrent slik\b", r"\bmed egne ord, og si ikke mer\b",
    r"\bregler for rollen\b", r"\bhemmelig(e)? kode\w*\b", r"\bskal aldri skrives\b",
    r"\btar kontakt med en hjelpetjeneste (på chat|på telefon)\b",
)), _I)
#: Leaving the role on a learner's request: «DAN», «no rules», «out of character» (case-sensitive for DAN: a persona
#: may well be called Dan).
ROLE_BREAK = re.compile("|".join(f"(?:{p})" for p in (
    r"(?i:\b(ut av|bryte|bryter|forlater|går ut av) (rollen|karakteren)\b)", r"(?i:\bout of character\b|\bOOC\b)",
    r"(?i:\bbreak(ing)? character\b)", r"\bDAN\b", r"(?i:\b(developer mode|utviklermodus|jailbreak\w*)\b)",
    r"(?i:\b(uten|ingen|fri fra|fritt for) (alle |noen )?(regler|begrensninger|filtre|filter|restriksjoner)\b)",
    r"(?i:\b(no|without|free from) (any )?(rules|restrictions|filters|limits)\b)",
    r"(?i:\bdo anything now\b)", r"(?i:\bjeg er (en )?(bot|robot|modell|maskin)\b)",
)))
MARKUP = re.compile(r"```|<\s*/?\s*[a-z][^>]*>|https?://|www\.", _I)
#: Learner text that instructs the model instead of talking to the caller.
INJECTION_PATTERNS = re.compile("|".join(f"(?:{p})" for p in (
    r"\bignor(er|ere|e)\b.{0,30}\b(instruks\w*|instructions?|regler\w*|rules|prompt\w*|above|ovenfor)",
    r"\bglem\b.{0,30}\b(instruks\w*|regler\w*|rollen|prompt\w*)", r"\bforget\b.{0,30}\b(instructions?|rules|role)",
    r"\b(you are|du er) (now|nå) (en |et |a |an )?(ai|assistent|assistant|språkmodell|hjelper|dan|ny)\b",
    r"\b(ny|nye|new) (rolle|role|instruks\w*|instructions?|regler|rules)\b", r"^\s*(system|assistant|user)\s*:",
    r"\b(vis|skriv ut|gjenta|repeat|print|show|reveal|tell me)\b.{0,20}\b(systemprompt\w*|system ?prompt|instruks\w*|"
    r"instructions?|teksten over|the text above|prompt)\b",
    r"\b(svar|skriv|reply|answer|respond|write)\b.{0,15}\b(på|in) (engelsk|english|tysk|svensk|german|swedish|kode|code)\b",
    r"\b(act|pretend) (as|to be)\b", r"\blate? som (du er|at du er)\b", r"\bjailbreak\w*|\bdeveloper mode\b|\bDAN\b",
    r"\b(bryt\w*|break\w*|gå ut av|går ut av|forlat\w*|step out of) (ut av )?(rollen|karakteren|character|role)\b", r"\b(hemmelig kode|secret code|canary)\b",
)), _I)
_NB_WORDS = {"jeg", "ikke", "det", "er", "og", "på", "at", "du", "meg", "har", "en", "som", "med", "for", "vet",
             "bare", "kanskje", "så", "hun", "han", "noe", "å", "litt", "nå", "hei", "takk", "ja", "nei", "hva", "hvordan",
             "mitt", "min", "mine", "var", "blir", "skal", "kan", "vil", "orker", "synes", "tror", "føler", "helt",
             "egentlig", "alltid", "aldri", "liksom", "altså", "hjemme", "noen", "ingen", "også", "men", "fordi", "når",
             "der", "her", "dem", "deg", "seg", "sånn", "veldig", "godt", "greit", "dårlig", "ok", "mm", "hm", "hmm"}
_EN_WORDS = {"the", "and", "i'm", "im", "you", "is", "not", "it", "to", "of", "that", "what", "my", "but", "just",
             "don't", "dont", "know", "really", "feel", "like", "this", "with", "have", "was", "are", "be", "would",
             "can't", "cant", "it's", "about", "because", "sorry", "yes", "thanks", "thank", "anymore", "myself", "me",
             "we", "they", "your", "there", "when", "why", "how", "do", "does", "did", "am"}
MAX_REPLY_CHARS = 700

REASON_TEXT = {
    "method": "nevnte midler, metoder eller doser",
    "role": "gikk ut av rollen",
    "language": "var ikke på norsk",
    "leak": "avslørte instruksene",
    "markup": "inneholdt kode eller lenker",
    "length": "var for langt",
    "empty": "var tomt",
}


def injection(text: str) -> bool:
    """Does the learner's text try to instruct the model rather than talk to the caller?"""
    return bool(INJECTION_PATTERNS.search(text))


def looks_norwegian(text: str) -> bool:
    """Norwegian rather than English (a short reply with no English words passes)."""
    words = re.findall(r"[\wæøåÆØÅ']+", text.lower())
    nb = sum(w in _NB_WORDS for w in words) + sum(1 for w in words if re.search(r"[æøå]", w))
    en = sum(w in _EN_WORDS for w in words)
    if en >= 2 and en >= nb:
        return False
    return nb > 0 or en == 0


def _sentence_problem(sentence: str, secrets: tuple[str, ...]) -> str | None:
    if METHOD_PATTERNS.search(sentence):
        return "method"
    if any(secret and secret.lower() in sentence.lower() for secret in secrets) or LEAK_PATTERNS.search(sentence):
        return "leak"
    if ROLE_PATTERNS.search(sentence) or ROLE_BREAK.search(sentence):
        return "role"
    if MARKUP.search(sentence):
        return "markup"
    return None


def _leaks_rules(text: str, rules: str, n: int = 6) -> bool:
    """Does ``text`` repeat ``n`` words in a row from the prompt's instruction sentences?"""
    words = re.findall(r"\w+", rules.lower())
    grams = {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}
    found = re.findall(r"\w+", text.lower())
    return any(" ".join(found[i:i + n]) in grams for i in range(len(found) - n + 1))


def safe_prefix(text: str, secrets: tuple[str, ...] = (), rules: str = "") -> tuple[str, str | None]:
    """While a reply streams: the part that may be shown (complete sentences that pass), and a problem if any.

    A problem in any complete sentence stops the whole reply.
    """
    boundary = max(text.rfind(m) for m in (". ", "! ", "? ", ".\n", "!\n", "?\n", "\n"))
    complete = text[: boundary + 1] if boundary >= 0 else ""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", complete):
        problem = _sentence_problem(sentence, secrets)
        if problem:
            return "", problem
    if rules and complete and _leaks_rules(complete, rules):
        return "", "leak"
    if len(complete) > MAX_REPLY_CHARS:
        return "", "length"
    return complete.strip(), None


def check_reply(text: str, secrets: tuple[str, ...] = (), rules: str = "") -> str | None:
    """The problem with a complete reply, or ``None`` when it may be shown."""
    if not text or not text.strip():
        return "empty"
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):  # before the length: a leak is reported as a leak
        problem = _sentence_problem(sentence, secrets)
        if problem:
            return problem
    if rules and _leaks_rules(text, rules):
        return "leak"
    if len(text) > MAX_REPLY_CHARS:
        return "length"
    if not looks_norwegian(text):
        return "language"
    return None
