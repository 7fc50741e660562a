"""Rewrite a learner's closed question as an open one, for the coach's feedback.

«Er det noen du kan snakke med?» → «Hvem kan du snakke med?». The rewrites keep the learner's own words where the
grammar allows (the thing they asked about, the person, the verb), and fall back to a general open question that
still fits. Norwegian bokmål and English. A direct question about suicide is never rewritten: a clear yes/no question
is the right way to ask it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_NB_NOUNS = {"sover": "søvnen", "spiser": "maten", "jobber": "jobben", "drikker": "drikkingen", "trener": "treningen",
             "går": "skolen", "bor": "der du bor"}
_NB_FEELINGS = ("trist", "lei deg", "sint", "redd", "sliten", "ensom", "deprimert", "bekymret", "usikker", "stresset",
                "lei", "nedfor", "fortvilet", "flau", "skamfull", "sjokkert", "urolig", "engstelig", "glad", "lettet")
_EN_NOUNS = {"sleep": "your sleep", "eat": "eating", "work": "work", "drink": "your drinking", "exercise": "exercise"}
_EN_MODALS = ("can", "could", "would", "will", "should")


def _c(pattern: str) -> re.Pattern[str]:
    # Case-insensitive, so what the learner wrote keeps its capitals in the rewrite («… med Ida»).
    return re.compile(pattern, re.IGNORECASE)


def _space(text: str) -> str:
    return f" {text}" if text else ""


_NB: list[Rule] = [
    (_c(r"^er det noen (?:som )?du (\w+)(.*)$"), lambda m: f"Hvem {m[1]} du{m[2]}"),
    (_c(r"^er det noen som (.+)$"), lambda m: f"Hvem {m[1]}"),
    (_c(r"^er det noe (?:mer|annet) du vil (?:si|fortelle)(.*)$"), lambda m: f"Hva mer vil du fortelle{m[1]}"),
    (_c(r"^er det noe (?:som )?du (\w+)(.*)$"), lambda m: f"Hva {m[1]} du{m[2]}"),
    (_c(r"^er det noe som (.+)$"), lambda m: f"Hva er det som {m[1]}"),
    (_c(r"^har du noen (?:som )?du (\w+)(.*)$"), lambda m: f"Hvem {m[1]} du{m[2]}"),
    (_c(r"^har du (?:noen )?(venner|familie|søsken|noen|nettverk|folk)\b.*$"),
     lambda m: "Hvem har du rundt deg"),
    (_c(r"^har du (?:snakket|pratet) med (?:noen|andre|.+?)(?: om (.+))?$"),
     lambda m: f"Hvem har du kunnet snakke med{_space('om ' + m[1]) if m[1] else ''}"),
    (_c(r"^har du fortalt (?:det |dette )?(?:til )?.+$"), lambda m: "Hvem har du fortalt det til"),
    (_c(r"^har du tenkt på (å .+)$"), lambda m: f"Hva tenker du om {m[1]}"),
    (_c(r"^har du det (?:vondt|tungt|bra|ok|greit|fint|vanskelig)(.*)$"), lambda m: f"Hvordan har du det{m[1]}"),
    (_c(r"^har du det\b(.*)$"), lambda m: f"Hvordan har du det{m[1]}"),
    (_c(r"^(?:føler|kjenner) du deg (.+)$"), lambda m: f"Hvordan er det å kjenne seg {m[1]}"),
    (_c(r"^(?:føler|kjenner|opplever|merker) du (?:at )?(.+)$"), lambda m: "Hva kjenner du på nå"),
    (_c(r"^er du (" + "|".join(_NB_FEELINGS) + r")\b(.*)$"), lambda m: "Hva kjenner du på akkurat nå"),
    (_c(r"^(sover|spiser|jobber|drikker|trener) du\b.*$"), lambda m: f"Hvordan er det med {_NB_NOUNS[m[1].lower()]} for tiden"),
    (_c(r"^(?:tenker|tror|mener|synes) du (?:at )?(?:det|dette|den|han|hun)?\b.*$"), lambda m: "Hva tenker du selv om det"),
    (_c(r"^vil du (?:snakke|fortelle)(?: meg)?(?: mer)?(?: om (.+))?$"),
     lambda m: f"Hva vil du fortelle{_space('om ' + m[1]) if m[1] else ''}"),
    (_c(r"^vet (.+?) om (det|dette)\b.*$"), lambda m: f"Hvem vet om {m[2]}"),
    (_c(r"^(?:var|ble) (?:det|du) .+$"), lambda m: "Hvordan var det for deg"),
    (_c(r"^(?:skjedde|hendte) det\b.*$"), lambda m: "Hva skjedde"),
    (_c(r"^går det (?:bra|greit|ok)\b.*$"), lambda m: "Hvordan går det med deg"),
    (_c(r"^(?:har|hadde|gjorde|sa) (?:han|hun|de|noen)\b.*$"), lambda m: "Hva skjedde da"),
    (_c(r"^savner du (.+)$"), lambda m: f"Hva savner du ved {m[1]}"),
    (_c(r"^liker du (.+)$"), lambda m: f"Hva tenker du om {m[1]}"),
]
_EN: list[Rule] = [
    (_c(r"^is there (?:anyone|someone) (?:who )?you (\w+)(.*)$"),
     lambda m: f"Who {m[1]} you{m[2]}" if m[1].lower() in _EN_MODALS else f"Who do you {m[1]}{m[2]}"),
    (_c(r"^is there (?:anyone|someone) who (.+)$"), lambda m: f"Who {m[1]}"),
    (_c(r"^is there anything (?:else|more) you(?:'d| would) like to (?:say|tell me|add)(.*)$"),
     lambda m: "What else would you like to tell me"),
    (_c(r"^is there anything (?:that )?you (\w+)(.*)$"),
     lambda m: f"What {m[1]} you{m[2]}" if m[1].lower() in _EN_MODALS else f"What do you {m[1]}{m[2]}"),
    (_c(r"^is there anything that (.+)$"), lambda m: f"What {m[1]}"),
    (_c(r"^have you (?:talked|spoken) to (?:anyone|someone|.+?)(?: about (.+))?$"),
     lambda m: f"Who have you been able to talk to{_space('about ' + m[1]) if m[1] else ''}"),
    (_c(r"^do you have (?:any )?(?:anyone|someone|friends|family|people)\b.*$"),
     lambda m: "Who do you have around you"),
    (_c(r"^have you told .+$"), lambda m: "Who have you told"),
    (_c(r"^have you thought about (.+)$"), lambda m: f"What do you think about {m[1]}"),
    (_c(r"^do you feel (?:like |that )?(.+)$"), lambda m: f"What is it like to feel {m[1]}"),
    (_c(r"^are you feeling (.+)$"), lambda m: f"What is it like to feel {m[1]}"),
    (_c(r"^(?:do|did) you (sleep|eat|work|drink|exercise)\b.*$"), lambda m: f"How is {_EN_NOUNS[m[1].lower()]} these days"),
    (_c(r"^(?:do|did) you think\b.*$"), lambda m: "What do you think about it yourself"),
    (_c(r"^would you like to (?:talk|tell)(?: me)?(?: more)?(?: about (.+))?$"),
     lambda m: f"What would you like to tell me{_space('about ' + m[1]) if m[1] else ''}"),
    (_c(r"^does (.+?) know\b.*$"), lambda m: "Who knows about this"),
    (_c(r"^(?:was|were) (?:it|that|you) .+$"), lambda m: "What was that like for you"),
    (_c(r"^(?:did|has|had) (?:he|she|they|someone|anyone) .+$"), lambda m: "What happened then"),
    (_c(r"^do you miss (.+)$"), lambda m: f"What do you miss about {m[1]}"),
    (_c(r"^are you\b.*$"), lambda m: "How are you feeling right now"),
]
FALLBACK = {"nb": "Kan du fortelle litt mer om hvordan det er for deg?",
            "en": "Could you tell me a bit more about how it is for you?"}


def open_alternative(question: str, lang: str = "nb") -> str:
    """An open question that asks about the same thing as ``question`` (a closed one), ending with «?»."""
    text = re.sub(r"\s+", " ", question).strip().rstrip("?!. ").strip()
    for pattern, make in (_NB if lang == "nb" else _EN):
        m = pattern.match(text)
        if m:
            result = re.sub(r"\s+", " ", make(m)).strip()
            return result[:1].upper() + result[1:] + "?"
    return FALLBACK[lang]


def closed_questions(text: str) -> list[str]:
    """The sentences of ``text`` that end in «?» (for picking the one to rewrite)."""
    parts = re.split(r"(?<=[.!?:])\s+|\n+", text.strip())
    return [p.strip() for p in parts if p.strip().endswith("?")]
