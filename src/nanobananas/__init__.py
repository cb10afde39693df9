"""Nanobananas: a self-hostable AI image studio that keeps its privacy promises in code."""

__version__ = "0.1.0"
