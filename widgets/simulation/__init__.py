"""The conversation simulator: scenarios as graphs, the coach that labels what the learner says, and the engine."""

from .coach import LABELS, classify
from .engine import ScriptedEngine, Turn

__all__ = ["LABELS", "ScriptedEngine", "Turn", "classify"]
