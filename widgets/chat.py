"""ChatSimulation: practise a conversation with a simulated caller, with feedback on every turn and a summary.

The learner answers with a suggested reply or in their own words. Their text is scrubbed before anything else sees
it; the coach labels it; the engine answers as the caller. Events carry labels and outcomes, not the learner's words.
"""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget
from ._markdown import to_html
from .scrub import scrub
from .simulation.engine import ScriptedEngine

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
    """

    _front_end = "chat"

    meta = t.Dict(help="Title, description, channel, time of day, persona alias and age.").tag(sync=True)
    messages = t.List(t.Dict(), help="[{who: caller|learner, text}] in order.").tag(sync=True)
    choices = t.List(t.Unicode(), help="Suggested replies for this turn.").tag(sync=True)
    feedback = t.List(t.Unicode(), help="Feedback on the learner's last turn.").tag(sync=True)
    ended = t.Bool(False, help="True when the scenario has reached an end.").tag(sync=True)
    summary = t.Dict(help="The end-of-conversation summary.").tag(sync=True)

    def __init__(self, theme_id: str, scenario: dict[str, Any], seed: int | None = None, **kwargs: Any) -> None:
        self.theme_id = theme_id
        self.scenario = scenario
        self._seed = seed
        persona = scenario["persona"]
        meta = {
            "id": scenario["id"], "title": scenario["title"], "description_html": to_html(scenario["description"]),
            "channel": CHANNELS[scenario["channel"]], "time": scenario["time"], "alias": persona["alias"],
            "age": persona["age"],
        }
        super().__init__(meta=meta, **kwargs)
        self._start()

    @property
    def _object(self) -> str:
        return f"{self.theme_id}/scenario/{self.scenario['id']}"

    def _start(self) -> None:
        self.engine = ScriptedEngine(self.scenario, seed=self._seed)
        self.messages = [{"who": "caller", "text": self.engine.opening()}]
        self.choices = self.engine.choices()
        self.feedback = []
        self.ended = False
        self.summary = {}
        self._launched = False

    def _turn(self, text: str, choice: int | None) -> None:
        if self.ended:
            return
        if not self._launched:
            self._launched = True
            self.session.emit("launched", self._object, "scenario", {"mode": "scripted"})
        turn = self.engine.respond(text, choice)
        self.messages = [*self.messages, {"who": "learner", "text": turn.text}, {"who": "caller", "text": turn.reply}]
        self.feedback = turn.feedback
        self.choices = self.engine.choices()
        self.session.emit("responded", self._object, "scenario",
                          {"labels": turn.labels, "intents": turn.intents, "node": turn.node, "chosen": turn.chosen,
                           "turn": len(self.engine.turns)})
        if turn.ended:
            summary = self.engine.summary()
            self.summary = summary
            self.ended = True
            self.session.emit("completed", self._object, "scenario",
                              {"end": summary["end"], "turns": summary["turns"], "counts": summary["counts"],
                               "reflection_to_question": summary["reflection_to_question"],
                               "open_question_share": summary["open_question_share"],
                               "must_do": summary["must_do"], "success": summary["end"] != "caller_left"})
            self.session.mark_done(self.theme_id, "simulation")

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
        if self.engine.turns and not self.ended:
            self.session.emit("terminated", self._object, "scenario", {"turns": len(self.engine.turns)})
        self._start()
