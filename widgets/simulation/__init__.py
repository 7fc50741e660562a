"""The conversation simulator.

- :mod:`.coach` labels what the learner says (rules + a small model, :mod:`.model`, trained on ``data/coach/``);
- :mod:`.engine` walks a scenario (state, routes, feedback per turn; :mod:`.rewrite`, :mod:`.referral`);
- :mod:`.feedback` makes the end summary and the learner's transcript;
- :mod:`.scenario` holds the checks ``trygge validate`` runs; :mod:`.diagram` draws a scenario;
- :mod:`.llm` and :mod:`.guard`: the optional language-model persona and the check on its replies;
- :mod:`.cli`: ``trygge scenario list|diagram|play``.
"""

from .coach import LABELS, classify
from .engine import ScriptedEngine, Turn

__all__ = ["LABELS", "ScriptedEngine", "Turn", "classify"]
