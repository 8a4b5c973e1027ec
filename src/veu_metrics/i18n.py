"""UI text in Danish (default) and English, from one catalogue (``texts.yaml``).

Official Danish names (schemes, education types, area names, balance categories) are proper names
and stay Danish in the English UI; they are also the values in links, so a link works in both
languages.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


@cache
def texts() -> dict[str, dict[str, str]]:
    source = resources.files("veu_metrics") / "texts.yaml"
    return check_texts(yaml.safe_load(source.read_text(encoding="utf-8")))


def check_texts(catalogue: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every entry has exactly a Danish and an English text; raise ValueError naming the key."""
    for key, entry in catalogue.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or not entry.get(lang)]
        if missing:
            raise ValueError(f"texts.yaml: '{key}' lacks {', '.join(missing)}")
        # An unquoted comma inside {da: …, en: …} silently splits a text into extra keys.
        extra = set(entry) - set(LANGUAGES)
        if extra:
            raise ValueError(f"texts.yaml: '{key}' has unexpected keys {sorted(extra)}; "
                             "quote texts that contain a comma")
    return catalogue


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    entry = texts().get(key)
    if entry is None:
        raise KeyError(f"no UI text '{key}' in texts.yaml")
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
