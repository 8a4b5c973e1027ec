"""UI text in Danish (default) and English, from one store: ``texts.yaml`` (the app, its files and
maps) and ``messages.yaml`` (import problems and the import report), read by the same loader, each
entry Danish first, then English. No module defines UI text of its own (``tests/test_text_store.py``
scans the code for it).

Official Danish names (schemes, education types, area names, balance categories) are proper names
and stay Danish in the English UI; they are also the values in links, so a link works in both
languages.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Formatter
from typing import Any

import yaml

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


TEXT_FILES = ("texts.yaml", "messages.yaml")
"""The text files of the one store; a key may be defined in only one of them."""


@cache
def texts() -> dict[str, dict[str, str]]:
    store: dict[str, dict[str, str]] = {}
    for name in TEXT_FILES:
        source = resources.files("veu_metrics") / name
        entries = check_texts(yaml.safe_load(source.read_text(encoding="utf-8")), name)
        twice = sorted(store.keys() & entries.keys())
        if twice:
            raise ValueError(f"{name}: {', '.join(twice)} already defined in another text file")
        store.update(entries)
    return store


def check_texts(catalogue: dict[str, Any], source: str = "texts.yaml") -> dict[str, dict[str, str]]:
    """Every entry has exactly a Danish and an English text, with the same ``{placeholders}``;
    raise ValueError naming the key."""
    for key, entry in catalogue.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or not entry.get(lang)]
        if missing:
            raise ValueError(f"{source}: '{key}' lacks {', '.join(missing)}")
        # An unquoted comma inside {da: …, en: …} silently splits a text into extra keys.
        extra = set(entry) - set(LANGUAGES)
        if extra:
            raise ValueError(f"{source}: '{key}' has unexpected keys {sorted(extra)}; "
                             "quote texts that contain a comma")
        not_text = [lang for lang in LANGUAGES if not isinstance(entry[lang], str)]
        if not_text:
            raise ValueError(f"{source}: '{key}' in {', '.join(not_text)} is not a text; quote it")
        fields = {lang: placeholders(entry[lang]) for lang in LANGUAGES}
        if len({frozenset(f) for f in fields.values()}) > 1:
            raise ValueError(f"{source}: '{key}' has different placeholders: "
                             + "; ".join(f"{lang} {sorted(f)}" for lang, f in fields.items()))
    return catalogue


def placeholders(text: str) -> set[str]:
    """The names of a text's ``{placeholders}`` (``{{`` is a literal brace, not one)."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def section(prefix: str, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """All texts whose key starts with ``prefix.``, by the rest of the key: one module's labels."""
    start = prefix + "."
    return {key[len(start):]: t(key, lang) for key in texts() if key.startswith(start)}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    entry = texts().get(key)
    if entry is None:
        raise KeyError(f"no UI text '{key}' in {' or '.join(TEXT_FILES)}")
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
