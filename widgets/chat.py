"""ChatSimulation: practise a conversation with a simulated caller, with feedback on every turn and a summary.

The learner answers with a suggested reply or in their own words. Their text is scrubbed before anything else sees
it; the coach labels it; the scripted engine decides where the conversation goes. The caller's words come from the
script, or from a language model when one is configured (:mod:`widgets.simulation.llm`): its reply streams into the
chat sentence by sentence, each sentence checked before it is shown, and the finished reply is announced once.
Events carry labels and outcomes, not the learner's words. The learner can download their own transcript with the
feedback (Markdown, made and scrubbed in the kernel).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import traitlets as t

from ._base import TryggeWidget
from ._markdown import to_html
from .scrub import scrub
from .simulation import coach
from .simulation import llm as llm_mod
from .simulation.engine import ScriptedEngine, Turn
from .simulation.feedback import LABEL_SINGULAR, transcript_markdown
from .simulation.referral import DAY_NAMES

log = logging.getLogger("trygge")

MAX_CHARS = 1000
CHANNELS = {"chat": "Chat", "phone": "Telefon (skriftlig øving)"}


class ChatSimulation(TryggeWidget):
    """A conversation simulation for one scenario.

    Parameters
    ----------
    theme_id:
        The theme the scenario belongs to.
    scenario:
        A validated scenario (``scenarios/<id>.yaml``).
    seed:
        Seed for the caller's line variants (``None``: a different run each time).
    persona:
        The language-model persona; ``None``: the one configured in the environment, if any (see ``docs/llm.md``);
        ``False``: scripted only.
    lang:
        The language the coach reads the learner's text in (``nb`` or ``en``).
    """

    _front_end = "chat"

    meta = t.Dict(help="Title, description, channel, time of day, persona alias and age, mode.").tag(sync=True)
    messages = t.List(t.Dict(), help="[{who: caller|learner, text}] in order.").tag(sync=True)
    choices = t.List(t.Unicode(), help="Suggested replies for this turn.").tag(sync=True)
    hint = t.Unicode("", help="The scenario author's hint for this turn (a node's `hint`), shown above the replies.").tag(sync=True)
    feedback = t.List(t.Unicode(), help="Feedback on the learner's last turn.").tag(sync=True)
    feedback_labels = t.List(t.Unicode(), help="The coach's labels on the last turn, as the learner reads them.").tag(sync=True)
    ended = t.Bool(False, help="True when the scenario has reached an end.").tag(sync=True)
    summary = t.Dict(help="The end-of-conversation summary.").tag(sync=True)
    draft = t.Unicode("", help="The caller's reply while it streams in (checked sentences only).").tag(sync=True)
    busy = t.Bool(False, help="True while the caller's reply is being written.").tag(sync=True)
    notice = t.Unicode("", help="A calm note when the script answered instead of the language model.").tag(sync=True)

    def __init__(self, theme_id: str, scenario: dict[str, Any], seed: int | None = None,
                 persona: llm_mod.LLMPersona | None | bool = None, lang: str = "nb", **kwargs: Any) -> None:
        self.theme_id = theme_id
        self.scenario = scenario
        self.lang = lang
        self._seed = seed
        if persona is None:
            persona = llm_mod.persona_from_env(scenario)
        self.persona: llm_mod.LLMPersona | None = persona or None
        person = scenario["persona"]
        meta = {
            "id": scenario["id"], "title": scenario["title"], "description_html": to_html(scenario["description"]),
            "channel": CHANNELS[scenario["channel"]], "time": scenario["time"], "alias": person["alias"],
            "age": person["age"], "day": DAY_NAMES.get(scenario.get("day", ""), ""),
            "mode": "llm" if self.persona else "scripted",
            "mode_note": llm_mod.MODE_NOTE if self.persona else "",
        }
        super().__init__(meta=meta, **kwargs)
        # The coach's model is trained (or read from the cache) once per kernel; start now, not at the first reply.
        threading.Thread(target=self._warm, name="trygge-coach-warm", daemon=True).start()
        self._start()

    def _warm(self) -> None:
        try:
            coach.warm(self.lang)
            # One turn on a throw-away engine builds what the first real turn would otherwise wait for (the
            # help-line matchers, the rules' patterns); nothing is shown or stored.
            warm_text = "Hvordan har du det nå? Har du tenkt på å ringe Mental Helse på 116 123?"
            ScriptedEngine(self.scenario, seed=0, lang=self.lang).respond(warm_text, None)
            scrub(warm_text)  # the scrubber's lists (names, help-line numbers and sites) are read at first use
        except Exception:  # the first reply does the same work and reports any error there
            log.exception("coach: could not prepare the model")

    def _batch_updates(self) -> bool:
        # With a language model the caller's reply streams in (draft, busy) while the handler runs: send as it goes.
        return self.persona is None

    @property
    def _object(self) -> str:
        return f"{self.theme_id}/scenario/{self.scenario['id']}"

    def _start(self) -> None:
        self.engine = ScriptedEngine(self.scenario, seed=self._seed, lang=self.lang)
        self.messages = [{"who": "caller", "text": self.engine.opening()}]
        self.choices = self.engine.choices()
        self.hint = self._hint()
        self.feedback = []
        self.feedback_labels = []
        self.ended = False
        self.summary = {}
        self.draft = ""
        self.busy = False
        self.notice = ""
        self._launched = False

    def _turn(self, text: str, choice: int | None) -> None:
        if self.ended or self.busy:
            return
        if not self._launched:
            self._launched = True
            self.session.emit("launched", self._object, "scenario", {"mode": self.meta["mode"]})
        turn = self.engine.respond(text, choice)
        self.notice = ""
        self.feedback = turn.feedback
        self.feedback_labels = [LABEL_SINGULAR[label] for label in turn.labels]
        fallback = ""
        if self.persona is not None:
            self.messages = [*self.messages, {"who": "learner", "text": turn.text}]
            fallback = self._speak(turn)
            self.messages = [*self.messages, {"who": "caller", "text": turn.reply}]
        else:
            self.messages = [*self.messages, {"who": "learner", "text": turn.text}, {"who": "caller", "text": turn.reply}]
        self.choices = self.engine.choices()
        self.hint = self._hint()
        result: dict[str, Any] = {"labels": turn.labels, "intents": turn.intents, "node": turn.node,
                                  "chosen": turn.chosen, "turn": len(self.engine.turns), "mode": self.meta["mode"],
                                  "reply_source": turn.reply_source, "state": turn.state}
        if fallback:
            result["fallback"] = fallback
        self.session.emit("responded", self._object, "scenario", result)
        if turn.ended:
            summary = self.engine.summary()
            self.summary = summary
            self.ended = True
            self.session.emit("completed", self._object, "scenario",
                              {"end": summary["end"], "turns": summary["turns"], "counts": summary["counts"],
                               "reflection_to_question": summary["reflection_to_question"],
                               "open_question_share": summary["open_question_share"],
                               "must_do": summary["must_do"], "asked_about_suicide": summary["asked_about_suicide"],
                               "explored_safety": summary["explored_safety"],
                               "referral_ok": [r["ok"] for r in summary["referrals"]],
                               "success": summary["end"] != "caller_left"})
            self.session.mark_done(self.theme_id, "simulation")

    def _hint(self) -> str:
        """The current node's hint for the learner (none at an end)."""
        node = self.engine.node
        return "" if "end" in node else str(node.get("hint", "")).strip()

    def _speak(self, turn: Turn) -> str:
        """Let the language model say the caller's line; on any failure keep the script's. Returns the reason."""
        assert self.persona is not None
        history = self.engine.history()[:-1]  # everything up to the learner's reply; the scripted line is not sent
        self.draft = ""
        self.busy = True
        try:
            reply = self.persona.reply(history, turn.node, on_text=self._show_draft)
        finally:
            self.busy = False
            self.draft = ""
        if reply.ok:
            turn.reply = reply.text
            turn.reply_source = "llm"
            return ""
        self.notice = reply.notice
        return reply.reason

    def _show_draft(self, text: str) -> None:
        self.draft = text

    # -- messages from the browser ---------------------------------------------------------------------------------
    def on_send(self, content: dict[str, Any]) -> None:
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            return
        # The persona is fictional: keep its alias, so «Hei Ida» is not scrubbed to «Hei [navn]».
        self._turn(scrub(text.strip()[:MAX_CHARS], keep=[self.scenario["persona"]["alias"]]), None)

    def on_choose(self, content: dict[str, Any]) -> None:
        index = content.get("index")
        if isinstance(index, int) and 0 <= index < len(self.choices):
            self._turn("", index)

    def on_restart(self, _content: dict[str, Any]) -> None:
        if self.busy:
            return
        if self.engine.turns and not self.ended:
            self.session.emit("terminated", self._object, "scenario", {"turns": len(self.engine.turns)})
        self._start()

    def transcript(self) -> str:
        """The learner's transcript with feedback and summary (Markdown, scrubbed)."""
        note = "Personen svarte med en språkmodell" if self.persona else ""
        return transcript_markdown(self.scenario, self.engine.opening(), self.engine.turns,
                                   self.summary or None, mode_note=note)

    def on_download(self, _content: dict[str, Any]) -> None:
        data = self.transcript().encode("utf-8")
        self.send({"type": "transcript", "filename": f"samtale-{self.scenario['id']}.md"}, [data])
