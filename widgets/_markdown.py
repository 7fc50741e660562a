"""Markdown from content files to safe HTML: raw HTML in the source is escaped, unsafe links are dropped."""

from __future__ import annotations

import functools
import html

import mistune


@functools.cache
def _renderer() -> mistune.Markdown:
    return mistune.create_markdown(escape=True, hard_wrap=False, plugins=["strikethrough", "table"])


def to_html(text: str) -> str:
    """Render trainer-written Markdown; any markup inside it is shown as text, never run."""
    return str(_renderer()(text or ""))


def escape(text: str) -> str:
    """Plain text made safe for HTML."""
    return html.escape(text or "", quote=True)
