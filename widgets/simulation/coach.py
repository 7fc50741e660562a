"""The coach: labels what a learner says in a helping conversation (Norwegian bokmål first, English second).

Labels follow OARS / MITI categories plus what a crisis line needs: asking directly about suicide, referral and safety
planning, and the pitfalls (unasked-for advice, minimising). An utterance can carry several labels.

Two parts, both offline, and the same in scripted and language-model mode, so feedback never depends on a model:

- **rules** (:func:`rule_labels`): hand-written cues for both languages, sentence by sentence;
- **a small model** (:mod:`.model`): logistic regression over word and character n-grams, trained on the labelled
  corpus in ``data/coach/`` with the rules' labels as extra features, so it learns where to trust a rule and where
  the wording says more.

:func:`classify` gives the combined labels (the default), or either part alone (``method="rules"`` / ``"model"``;
the benchmark in ``benchmarks/coach_eval.py`` compares the three). How the labels are meant is written down in
``data/coach/README.md``.
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
METHODS = ("combined", "rules", "model")


def _rx(*patterns: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


# Word boundaries use \b, which in Python's re is Unicode-aware (æøå).
# -- questions ---------------------------------------------------------------------------------------------------
#: Questions that look open but ask for advice, or for one fact (MITI codes a question for a single fact as closed).
_ADVICE_QUESTION = _rx(
    r"^hva med å\b", r"^hvorfor (\w+) du ikke\b", r"^har du (prøvd|forsøkt)( å)?\b", r"^har du tenkt på å bare\b",
    r"^how about\b", r"^why don'?t you\b", r"^have you tried\b", r"^have you thought about just\b",
    r"^maybe you should\b",
)
_FACT_QUESTION = _rx(
    r"^hvor (gammel|lenge|ofte|mye|mange|langt|bor|er|var|jobber|går)\b", r"^når\b", r"^hva heter\b",
    r"^hva er klokka\b", r"^how (old|long|often|much|many)\b", r"^when\b", r"^where (do|did|are|were|is|was)\b",
    r"^what time\b",
)
_OPEN_START = _rx(
    r"^(hva|hvordan|hvorfor|hvilke[nt]?|hvem|på hvilken måte|fortell|beskriv|hvor kan)\b",
    r"^si (gjerne )?(litt |noe )?mer\b", r"^(kan|kunne|vil) du (si|fortelle|beskrive|forklare|sette ord)( \w+)? "
    r"(mer|om|hva|hvordan|hvorfor|litt|noe|på)\b",
    r"^(kan|kunne) du (beskrive|sette ord på)\b", r"^jeg lurer på (hva|hvordan|hvorfor)\b",
    r"^(what|how|why|which|who|tell me|describe|in what way)\b",
    r"^(can|could|would) you (tell|describe|say|explain)( \w+)? (more|about|what|how|why|a bit)\b",
    r"^(can|could) you describe\b", r"^i wonder (what|how|why)\b",
)
_CLOSED_START = _rx(
    r"^(er|har|kan|vil|skal|går|gikk|føler|kjenner|tenker|tenkte|liker|bor|gjør|gjorde|bruker|var|hadde|ville|"
    r"kunne|skulle|trenger|ønsker|vet|mener|synes|tror|får|fikk|sover|spiser|jobber|prøver|prøvde|snakker|opplever|"
    r"merker|savner|gråter|drikker|ble|blir|sa|tok|skjedde|husker|forstår|skjønner|stemmer|ringer|går|hørte)"
    r" (du|dere|det|han|hun|de|noen|noe|jeg|vi|det|mamma|pappa|foreldrene|søsteren|broren|selvmord)\b",
    r"^(is|are|do|does|did|have|has|had|can|could|will|would|should|was|were|am|shall) (you|it|he|she|they|there|"
    r"anyone|someone|we|i|that|this|your|suicide)\b",
)
#: A check after a reflection or summary («Stemmer det?») belongs to it; it is not a closed question of its own.
_CHECK_TAG = _rx(
    r"^(stemmer det|er det riktig( forstått)?|har jeg forstått (det|deg) (rett|riktig)|forstod jeg (det|deg) rett|"
    r"er det sånn)\??$",
    r"^(is that right|is that correct|did i get that right|have i understood (that|you) (right|correctly)|"
    r"is that how it is|right)\??$",
)
# -- statements --------------------------------------------------------------------------------------------------
_REFLECTION_START = _rx(
    r"^(det )?(høres|hørtes) (det )?(ut|vondt|tungt|ensomt|skremmende|vanskelig|slitsomt)\b",
    r"^det (virker|kan virke|later til|kjennes|føles|er som om|var som om|var et sjokk|er (vanskelig|tungt|mye|"
    r"deilig|vondt|urettferdig|ikke lett å være))\b",
    r"^(så )?du (sier|skriver|føler|kjenner|opplever|har|er|savner|bærer|tenker|lurer|synes|vil|ønsker|strever|"
    r"står|ble|var|bekymrer|ser|skulle ønske|vet|merker|skammer|gruer|angrer|orker|mistet|elsker|hater|kan ikke|"
    r"klarer ikke)\b",
    r"^jeg (hører|forstår|skjønner|ser|merker) (at|det som|deg|hvor)\b", r"^så (det|du|når|hvis|nå)\b",
    r"^på den ene siden\b", r"^en del av deg\b", r"^(dagene|nettene|kveldene|sorgen|savnet) \w+\b",
    r"^(it |that )?(sounds|sounded) (like|as if|really|so|very|heavy|hard|lonely|frightening|painful|scary|awful)\b",
    r"^it (seems|feels|felt|must be|must have been)\b", r"^(it |that )?seems\b", r"^it'?s hard\b",
    r"^(so )?you('re| are|'ve| have| feel| say| said| sound| seem| miss| want| wonder| think| don'?t| can'?t| know| "
    r"notice| wish| can feel| love| hate| worry| lost| were| wrote)\b",
    r"^so (you|that|when|it'?s|if)\b", r"^i (hear|can see|can hear|understand|sense) (that|you|this|how)\b",
    r"^on the one hand\b", r"^part of you\b", r"^(that was|a lot has|the grief|the days|the nights|the evenings)\b",
)
#: Statements that begin like a reflection but praise, or play down: affirmation / minimising instead.
_NOT_REFLECTION = _rx(
    r"^(så )?du (er|var) (jo |tydelig(vis)? |virkelig )?(så )?(flink|modig|sterk|en god|en omsorgsfull|omsorgsfull|"
    r"klok|ung|ikke den første)\b",
    r"^du har (jo |virkelig |allerede )?(vist|klart|gjort en god|gjort så godt|gjort mye|kjempet for|stått|kommet deg "
    r"gjennom|vært en god|en sterk|det jo|jo|mye å|hele livet|tatt)\b",
    r"^(så )?du har (fortalt|sagt)\b.*(,| og ).*(,| og )",
    r"^du (gir ikke opp|tar ansvar|gjorde det riktige|tok et viktig|viser at du)\b",
    r"^you('re| are) (clearly |so |really )?(a caring|a good|good at|brave|strong|so young|young)\b",
    r"^you('re| are) overreacting\b",
    r"^you('ve| have) (shown|managed|done the best|done a good|done a lot|been a good|already taken|been through a lot, "
    r"and)\b",
    r"^(so )?you('ve| have) (told|said)\b.*(,| and ).*(,| and )",
    r"^you (don'?t give up|did the right thing|made an important)\b",
)
_SUICIDE = _rx(
    r"selvmord", r"\bta(r|tt)? (ditt |sitt |ditt eget |sitt eget )?liv(et)?( ditt| sitt)?\b", r"ta ditt eget liv",
    r"ende livet", r"(ønsker|vil|lyst til|lyst) (å )?dø\b", r"tanker om å dø", r"tankene om å dø", r"tenke på å dø",
    r"tenker (du )?(da )?på å dø", r"bedre å være død", r"ikke (vil|orker å|ønsker å) leve",
    r"skade(t)? deg( selv)?\b", r"gjøre deg selv noe", r"gjøre noe med deg selv", r"planlagt hvordan",
    r"bestemt deg for (når|hvordan)", r"tenkt på hvordan (du )?(ville|skulle|vil)", r"forberede det",
    r"noe hjemme som du har tenkt å bruke", r"tatt farvel",
    r"suicid", r"kill(ing)? (yourself|your self)", r"end(ing)? your (own )?life", r"tak(e|ing) your (own )?life",
    r"want(ing)? to die", r"better (off )?(to be )?dead", r"(harm|hurt)(ing)? yourself", r"hurt yourself",
    r"thoughts of (dying|ending)", r"think(ing)? (about|of) dying", r"don'?t want to live", r"how you would do it",
    r"made a plan for how", r"something at home you'?ve thought of using", r"mean you want to die",
)
_SUICIDE_ASKING = _rx(
    r"\b(tenker|tanker|tankene|tenkt|lurer på|vil gjerne vite|må spørre|spør)\b",
    r"\b(think|thinking|thought|thoughts|wonder|wondering|like to know|ask)\b",
)
_AFFIRMATION = _rx(
    r"takk for\b", r"^takk\b", r"(det er|det var|så|er) (veldig |så )?(modig|sterkt|klokt|bra|fint|godt)( gjort)? "
    r"(av deg|at du|å)\b", r"modig av deg", r"sterkt av deg", r"klokt av deg", r"det krever mot",
    r"(jeg er |så |er )?glad (for )?(at )?du (tok|tar|skrev|ringte|sier|forteller|kom|sa)\b",
    r"setter pris på", r"sier (mye|noe fint|noe godt) om deg", r"^godt (at )?du (sa|sier|tok)\b",
    r"^(så )?du (er|var) (jo |tydelig(vis)? |virkelig )?(så )?(flink|modig|sterk|en god|en omsorgsfull|omsorgsfull|"
    r"klok)\b",
    r"^du har (virkelig |allerede )?(vist|klart|gjort en god|gjort så godt|kjempet for|stått i|kommet deg gjennom|"
    r"vært en god|en sterk|tatt det første)",
    r"\bdu (gir ikke opp|tar ansvar|gjorde det riktige|tok et viktig valg|viser at du bryr)", r"hyggelig at du",
    r"(en )?god idé", r"ikke lett å gjøre det du gjør", r"godt gjort", r"^så fint at du\b", r"^det er bra (at )?du",
    r"^det er fint at du",
    r"thank(s| you)( so much)? for\b", r"^thanks?\b", r"(it takes|that took|takes) courage", r"\bbrave\b",
    r"(i'?m|i am) (really |so )?glad you", r"appreciate", r"says a lot about you",
    r"(that'?s|it was|that was) (strong|wise|good) of you", r"good for you", r"good idea", r"nice to hear from you",
    r"^you('re| are) (clearly |so |really )?(a caring|a good|good at|strong)\b",
    r"^you('ve| have) (shown|managed|done the best|done a good|done a lot|been a good|already taken|been through a "
    r"lot, and)", r"\byou (don'?t give up|did the right thing|made an important choice)",
    r"^it'?s good (that )?you\b", r"how did you get through",
)
_SUMMARY = _rx(
    r"hvis jeg (forstår|har forstått|har skjønt|skjønner) (deg |det )?(rett|riktig)", r"hvis jeg forstår deg\b",
    r"(la meg|skal jeg|vil gjerne|jeg vil gjerne) (oppsummere|samle|se om jeg har fått med)", r"oppsummer",
    r"samle (trådene|det)", r"så langt (har|høres)", r"(det jeg|det du) (har fått med meg|hører|forteller)( er)? at",
    r"vi har snakket om", r"for å (oppsummere|samle)", r"om jeg skal samle",
    r"\bdu har (fortalt|sagt) (meg )?(at|om)\b.*(,| og ).*(,| og )",
    r"if i (understand|'?ve understood|'?ve got (this|it) right|pull it together|understand you)",
    r"let me (summari[sz]e|check i'?ve got|sum up|pull)", r"(to )?sum (it )?up", r"summari[sz]e",
    r"so far (you'?ve|you have|we'?ve|we have)", r"what i'?m hearing is", r"we'?ve (talked|covered)",
    r"\byou'?ve (told|said) (me )?(about|that)\b.*(,| and ).*(,| and )",
    r"^so you'?ve said\b.*(,| and ).*(,| and )",
)
_ADVICE = _rx(
    r"(?<!hvor )(?<!hva )(?<!om )(?<!hvordan )\bdu (bør|burde|må|skal|skulle|får) (heller |bare |nok |egentlig |jo |nesten |virkelig |nå )?"
    r"(ikke )?(prøve|gå|snakke|ringe|ta|finne|slutte|begynne|tenke|si|gjøre|komme|være|få|legge|trene|sove|spise|"
    r"skrive|melde|lære|kontakte|tilgi|fokusere|sette|bli|holde|flytte|slette|dra|kutte|drikke|ut|bite|se|passe)",
    r"\bdu skal se at\b", r"\bdu kan jo\b", r"^prøv (å|heller|med)?\b", r"\bhva med å\b",
    r"\bdet (beste|lureste) (er|du kan gjøre)\b", r"\bjeg (synes|mener|syns) (at )?du (bør|skal|burde|må)\b",
    r"\bhar du (prøvd|forsøkt)\b", r"\bmitt råd\b", r"\bhvis jeg var deg\b", r"^hvorfor (\w+) du ikke\b",
    r"\bstol på meg\b", r"\bhar du tenkt på å bare\b", r"\bdet du må gjøre\b", r"\bgjør det i morgen\b",
    r"^(gå|snakk|finn|slutt|begynn|gjør|kom|skriv|les|spis|drikk|kutt|flytt|meld|sett|skru|legg|kjøp|lag|hør|"
    r"les|bruk|tenk på noe|tenk positivt|ta deg en|ta det|ta en)\b(?! (gjerne )?(litt |noe )?mer\b)",
    r"^(neste gang)\b.*\b(må|bør|skal)\b",
    r"\byou (should|need to|must|ought to|have to|shouldn'?t|just need to|could put|could try|could go)\b",
    r"^try\b", r"\bwhy don'?t you\b", r"\bhave you tried\b", r"\bmy advice\b", r"\bif i were you\b",
    r"\bthe best thing\b", r"\bhow about\b", r"\bhave you thought about just\b", r"\bwhat you need to do\b",
    r"^(go|talk|find|stop|start|write|read|eat|drink|cut|move|join|set|switch|turn|get a|just|leave|don'?t put up|"
    r"delete|take a day|think about something|next time)\b",
)
#: Contacting a service in plain imperative («Ring 113») is a referral, not advice.
_REFERRAL_IMPERATIVE = _rx(r"^(ring|kontakt|call|contact|ring til) (113|112|116|legevakt|the emergency|emergency)")
_MINIMIZING = _rx(
    r"det går (nok |sikkert )?over", r"\bdu kommer over det", r"(har det|har det mye) verre( enn deg)?",
    r"mye verre for", r"ikke så (farlig|ille|galt)", r"ikke tenk (så mye )?på det", r"se (på )?det positive",
    r"se lyst på", r"(tenk|tenke) positivt", r"det ordner seg", r"slapp av", r"ta deg sammen",
    r"alle (har|tenker|føler|drikker) (det |seg |sånn |litt )?", r"du overdriver", r"bare (en )?fase",
    r"ikke vær (så )?(lei deg|trist|dum)", r"kunne vært verre", r"\bdet (er|var) (jo |vel |sikkert )?bare\b",
    r"bare (hormonene|tull)", r"tiden leger", r"mange fisk i havet", r"ikke verdens undergang",
    r"ikke noe å (gråte|være lei seg) for", r"ikke ta det så tungt", r"(løser|ordner) seg (alltid|sikkert)",
    r"så mye å leve for", r"hele livet foran deg", r"tenk på (alle|hvor heldig)", r"du har det jo",
    r"bite tennene sammen", r"ikke ment sånn", r"var vel ventet", r"^smil\b", r"ler (du )?av dette",
    r"sånn er det alltid", r"en del av livet", r"ikke den første", r"slutt å syte", r"sånt drama",
    r"ikke noe spesielt", r"vel ikke (så ille|et problem)", r"skjer i alle familier", r"du er jo så (flink|ung)",
    r"det løser seg", r"det er sikkert ikke så", r"mye å være takknemlig for",
    r"(it('ll| will)|will) pass", r"(have it|has it) (much )?worse", r"don'?t worry", r"not (that|really that|so) bad",
    r"cheer up", r"bright side", r"just a phase", r"calm down", r"get over it", r"don'?t think about it",
    r"(sort itself out|always works out)", r"everyone (feels|thinks|drinks|has)", r"overreacting",
    r"could have been worse", r"so much to live for", r"whole life ahead", r"think (of all|how lucky)",
    r"didn'?t mean it", r"don'?t take it so hard", r"(it'?s|it was|is) only (a|an)\b", r"time heals",
    r"plenty (more )?fish", r"pull yourself together", r"nothing to (cry|be sad) about", r"end of the world",
    r"laugh about this", r"not a big deal", r"happens in every family", r"think positive", r"doing pretty well",
    r"(it'?s )?always like that",
)
_REFERRAL = _rx(
    r"\b11[23]\b", r"116\s?123", r"116\s?111", r"116\s?117", r"116\s?006", r"800\s?33\s?321", r"800\s?57\s?000",
    r"08588", r"22\s?40\s?00\s?40", r"22\s?36\s?17\s?00", r"legevakt", r"fastlege", r"psykolog", r"helsesykepleier",
    r"helsestasjon", r"kirkens sos", r"kors på halsen", r"alarmtelefonen", r"rusinfo", r"rustelefonen",
    r"hjelpetelefonen", r"sidetmedord", r"soschat", r"\bdps\b", r"barnevern", r"krisesenter", r"\bros\b",
    r"mental helse", r"familievern", r"politiet?\b", r"\blegen\b", r"\ben lege\b", r"akutteam", r"overgrepslinjen",
    r"kontakte (en|noen|hjelp|tjenesten|legen)", r"snakke med (en|noen) (profesjonell|fagperson|lege)",
    r"tjeneste(n|r)? som passer", r"steder (der|hvor) du kan få hjelp", r"nummeret til",
    r"emergency", r"\bdoctor\b", r"\bgp\b", r"helpline", r"hotline", r"support line", r"psychologist", r"therapist",
    r"call (an )?ambulance", r"crisis cent(re|er)", r"school nurse", r"\bpolice\b", r"number for",
    r"places that help", r"\bthe helpline\b",
)
_REFERRAL_CASED = _rx(r"\bLEVE\b", r"\bRUSinfo\b", r"\bROS\b", flags=0)
_SAFETY = _rx(
    r"hva (kan|kunne) hjelpe", r"hva (har )?hjulpet", r"hva hjelper", r"som hjelper litt", r"\bhvem (kan|kunne|ringer|"
    r"vil du at)\b", r"noen (som kan|du kan) (være|ringe|snakke)", r"være (hos|sammen med) deg", r"komme til deg",
    r"(være|komme) og være hos", r"holde (deg )?(trygg|ut)", r"\btrygg(ere)?\b", r"(sikkerhets|krise|trygghets)plan",
    r"(lage|en enkel|en) plan (sammen|for)", r"lage en (enkel )?plan", r"gjøre det vanskeligere", r"fjerne (det|dem|noe|"
    r"tingene|midlene)", r"legge bort", r"ta vare på medisinene", r"(pillene|medisinene) til", r"låse (det |dem )?inn",
    r"gi (det|dem) bort", r"komme (deg )?gjennom (natten|kvelden|dette|en sånn)", r"grunner? til å leve",
    r"gir deg håp", r"holder deg (gående|oppe)", r"holdt ut", r"varselsign", r"tegn(ene)? på at", r"roe deg",
    r"(når|etter at) vi (har )?lagt på", r"ta tankene bort", r"hvor kan du (være|dra)", r"sted (du kan|å) dra",
    r"ikke er alene i natt", r"hvis (det|tankene) (blir verre|kommer)", r"hvem du kan kontakte",
    r"liste (med|over) (personer|ting|steder)", r"holder deg tilbake",
    r"what (could|can|might) help", r"what (has )?helped", r"helps a little", r"who (could|can|will) (be with|you call|"
    r"call|come)", r"\bsafe(ly|r|ty)?\b", r"make a (simple )?plan", r"plan together", r"safety plan",
    r"reasons? (for|to) liv", r"get (you )?through (the|this|tonight|that)", r"(put|lock) (those|them|it|the) ?(things )?"
    r"away", r"medication", r"somewhere you can go", r"calms? you", r"after we hang up", r"kept you going",
    r"keeps you going", r"warning signs", r"come and stay with you", r"stopping you from acting",
    r"who you can contact", r"if (it|the thoughts) (gets? worse|come back)",
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip()
    return re.sub(r"\s+", " ", text)


def _sentences(text: str) -> list[str]:
    """Sentences, with a colon also starting a new one («Jeg må spørre: har du …?»)."""
    parts = re.split(r"(?<=[.!?:])\s+|\n+", text)
    return [p.strip(" «»\"'–-") for p in parts if p.strip(" «»\"'–-")]


def rule_labels(text: str, lang: str = "nb") -> list[str]:
    """The labels the hand-written rules give (no model), in the order of :data:`LABELS`."""
    text = _normalise(text)
    found: set[str] = set()
    if not text:
        return []
    sentences = _sentences(text)
    for index, sentence in enumerate(sentences):
        lowered = sentence.lower()
        ends_in_question = sentence.endswith("?")
        unpunctuated = not re.search(r"[.!?:]$", sentence)
        if ends_in_question and index and _CHECK_TAG.search(lowered):
            continue  # «…, stemmer det?» checks the summary or reflection before it
        if _ADVICE_QUESTION.search(lowered) and not _SUICIDE.search(lowered):
            found.add("advice")
            if re.match(r"^(har du|have you)\b", lowered):
                found.add("closed_question")
            continue
        open_start = bool(_OPEN_START.search(lowered)) and not _FACT_QUESTION.search(lowered)
        closed_start = bool(_CLOSED_START.search(lowered)) or bool(_FACT_QUESTION.search(lowered))
        # Chat is often written without «?»: a question word or a verb first still makes a question.
        is_question = ends_in_question or (unpunctuated and (open_start and len(sentence.split()) > 2 or closed_start))
        if open_start and (is_question or len(sentence.split()) > 2) and not _ADVICE.search(lowered):
            found.add("open_question")
        elif is_question:
            found.add("closed_question")
        elif _REFLECTION_START.search(lowered) and not _NOT_REFLECTION.search(lowered) \
                and not _MINIMIZING.search(lowered) and not _ADVICE.search(lowered):
            found.add("reflection")
        if _SUICIDE.search(lowered) and (is_question or _SUICIDE_ASKING.search(lowered) and not _SUMMARY.search(lowered)):
            found.add("suicide_question")
        if _ADVICE.search(lowered) and not _REFERRAL_IMPERATIVE.search(lowered) and not _SUICIDE.search(lowered) \
                and not (_MINIMIZING.search(lowered) and not re.search(r"\b(må|bør|burde|should|must|need)\b", lowered)):
            found.add("advice")
    lowered = text.lower()
    if _AFFIRMATION.search(lowered) or any(_AFFIRMATION.search(s.lower()) for s in sentences):
        found.add("affirmation")
    if _SUMMARY.search(lowered):
        found.add("summary")
        found.discard("reflection")
    if _MINIMIZING.search(lowered):
        found.add("minimizing")
    if _REFERRAL.search(lowered) or _REFERRAL_CASED.search(text):
        found.add("referral")
    if _SAFETY.search(lowered):
        found.add("safety_planning")
    return [label for label in LABELS if label in found]


#: The model adds a label the rules missed only when it is at least this sure (the rules are precise but literal;
#: the model catches other wordings).
MODEL_CONFIDENT = 0.6


def _check(text: object, lang: str, method: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"classify() needs text (str), not {type(text).__name__}")
    if lang not in ("nb", "en"):
        raise ValueError(f"Unknown language {lang!r}: use 'nb' or 'en'")
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}: use one of {', '.join(METHODS)}")


def combine(rules: list[str], probabilities: dict[str, float], questions: int) -> list[str]:
    """Rules first; a label the rules missed is added when the model is confident.

    ``questions`` is how many sentences are questions: one question is either open or closed, so when the model
    would add the other kind, the rules' reading stands.
    """
    found = set(rules)
    for label, p in probabilities.items():
        if label not in found and p >= MODEL_CONFIDENT:
            found.add(label)
    if questions <= 1 and {"open_question", "closed_question"} <= found:
        if "open_question" in rules and "closed_question" not in rules:
            found.discard("closed_question")
        elif "closed_question" in rules and "open_question" not in rules:
            found.discard("open_question")
        else:
            found.discard("closed_question" if probabilities["open_question"] >= probabilities["closed_question"]
                          else "open_question")
    return [label for label in LABELS if label in found]


def classify(text: str, lang: str = "nb", method: str = "combined") -> list[str]:
    """The coach labels for one learner utterance, in the order of :data:`LABELS`.

    ``lang`` is ``"nb"`` or ``"en"``. ``method``: ``"combined"`` (rules and model, the default), ``"rules"`` or
    ``"model"``. The first call in a process loads (or trains) the model for that language.
    """
    _check(text, lang, method)
    if method == "rules":
        return rule_labels(text, lang)
    if not _normalise(text):
        return []
    from . import model

    trained = model.model_for(lang, LABELS)
    if method == "model":
        return trained.predict(text)
    questions = sum(1 for s in _sentences(_normalise(text)) if s.endswith("?"))
    return combine(rule_labels(text, lang), trained.probabilities(text), questions)


def warm(lang: str = "nb") -> None:
    """Load (or train) the model now, e.g. in a background thread when a simulation opens."""
    from . import model

    model.model_for(lang, LABELS)
