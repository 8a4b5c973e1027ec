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

# Every ASCII punctuation character that Markdown, GitHub's extensions (autolinks, tables,
# strike-through) or Streamlit's own syntax (:color[…], :emoji:, $math$) give a meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@=^\"'%/])")


def escape_markdown(value: object, max_chars: int = MAX_OUTSIDE_TEXT) -> str:
    """``value`` as text that Markdown shows literally: on one line (line breaks and control
    characters become spaces), at most ``max_chars`` characters, every special character
    backslash-escaped."""
    text = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in str(value))
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return _SPECIAL.sub(r"\\\1", text)
