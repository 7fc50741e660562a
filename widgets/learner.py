"""LearnerBadge: the learner's anonymous code, kept in their browser and shown so they can resume elsewhere."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ._base import TryggeWidget
from .session import normalise_code


class LearnerBadge(TryggeWidget):
    """Reads (or makes) the learner's code in the browser and hands it to the session.

    The code is random; there is no name, no e-mail and no login. A learner who types a code from another device
    continues with that code's progress.
    """

    _front_end = "learner"

    code = t.Unicode("", help="The learner's pseudonym, ABCD-EFGH; set by the browser.").tag(sync=True)
    status = t.Unicode("", help="Feedback after typing a code.").tag(sync=True)

    @t.observe("code")
    def _on_code(self, change: dict[str, Any]) -> None:
        canonical = normalise_code(change["new"])
        if canonical is None:
            # Something other than a code came from the browser: ignore it, ask for a fresh one.
            self.status = "Koden i nettleseren var ugyldig. Du har fått en ny kode."
            self.send({"type": "regenerate"})
            return
        if canonical != change["new"]:
            self.code = canonical
            return
        self.session.set_learner(canonical)

    def on_use_code(self, content: dict[str, Any]) -> None:
        canonical = normalise_code(str(content.get("code", "")))
        if canonical is None:
            self.status = "Det ser ikke ut som en kode. En kode har åtte tegn, for eksempel K7QM-2XPD."
            return
        self.code = canonical
        self.status = f"Du bruker nå koden {canonical}. Fremdriften din er hentet."
