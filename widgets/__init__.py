"""Trygge samtaler: the widgets and logic behind the course notebooks.

A theme notebook needs one import and one line per section::

    import widgets as ts
    tema = ts.theme("samtalen")
    tema.film("expert_film")
"""

from .lesson import StartPage, ThemePage, helpline_finder, plenum, poll, start_page, theme

__all__ = ["StartPage", "ThemePage", "helpline_finder", "plenum", "poll", "start_page", "theme"]
__version__ = "0.1.0"
