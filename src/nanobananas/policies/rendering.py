"""A policy body as HTML: a tiny plain-text format, every character escaped, so stored text never runs as HTML.

"# " starts a heading, "## " a subheading, "- " or "* " a list item (indented lines continue it), a blank
line ends a paragraph.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["policy_body_html"]


def policy_body_html(body: str) -> SafeString:
    out: list[str] = []
    paragraph: list[str] = []
    items: list[list[str]] = []

    def close_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{escape(' '.join(paragraph))}</p>")
            paragraph.clear()

    def close_list() -> None:
        if items:
            out.append("<ul>" + "".join(f"<li>{escape(' '.join(item))}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close_paragraph()
            close_list()
        elif line.startswith("## "):
            close_paragraph()
            close_list()
            out.append(f"<h3>{escape(line[3:].strip())}</h3>")
        elif line.startswith("# "):
            close_paragraph()
            close_list()
            out.append(f"<h2>{escape(line[2:].strip())}</h2>")
        elif line.startswith(("- ", "* ")):
            close_paragraph()
            items.append([line[2:].strip()])
        elif items and raw[:1].isspace():
            items[-1].append(line)
        else:
            close_list()
            paragraph.append(line)
    close_paragraph()
    close_list()
    # Safe: every piece of text above went through escape().
    return mark_safe("\n".join(out))
