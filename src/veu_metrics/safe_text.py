"""One helper for every text that did not come from the code (link values and keys, metadata,
file names, a boundary file's attribution, cell values in messages) before it reaches Markdown.

Streamlit renders Markdown in st.markdown, st.caption, st.warning, … : an image in a link value
would make the browser fetch an outside address, a link would put a phishing target in the app's
own banner. :func:`escape_markdown` makes such a text render as the literal characters.
"""

from __future__ import annotations

import re

MAX_OUTSIDE_TEXT = 200
"""Characters of one outside text shown at most (the rest is cut with …)."""

# Characters with an inline meaning in Markdown, GitHub's extensions (autolinks, strike-through,
# tables) or Streamlit's own syntax (:color[…], :emoji:, $math$); '@' makes e-mail autolinks.
_INLINE = re.compile(r"([\\`*_{}\[\]()!<>&~$:|@])")
# Block syntax only counts at the start of a line (headings, quotes, lists, rules).
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
# GitHub's autolinks are found in the text *after* escapes are resolved: "http\://x" still
# becomes a link. A WORD JOINER (U+2060, invisible, no line break) inside "://", after "@" and
# in "www." breaks those patterns while the text reads the same.
JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(://|@|\bwww\.)")


def _break_autolink(match: re.Match[str]) -> str:
    found = match.group(1)
    return found[0] + JOINER + found[1:] if found != "@" else "@" + JOINER


def escape_markdown(value: object, max_chars: int = MAX_OUTSIDE_TEXT) -> str:
    """``value`` as text that Markdown shows literally: on one line (line breaks and control
    characters become spaces), at most ``max_chars`` characters, every character with a meaning
    backslash-escaped (so ``![x](http://…)`` shows as typed and fetches nothing)."""
    text = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in str(value))
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    text = _AUTOLINK.sub(_break_autolink, text)
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(match: re.Match[str]) -> str:
    marker = match.group(2)  # "1." → "1\.", "#" → "\#"
    return match.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit()
                             else "\\" + marker)
