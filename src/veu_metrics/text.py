"""Small text helpers: slugs for file names and links, and names folded for matching.

One home for each, so that a file name, a link and an imported header fold Danish letters the
same way (æ → ae, ø → oe, å → aa; other accents dropped). Escaping text for Markdown or HTML is
not here: that is ``safe_text``'s job.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def ascii_fold(text: str) -> str:
    """'Køkken, café' → 'Koekken, cafe': Danish letters spelled out, other accents dropped,
    anything that has no ASCII form left out."""
    folded = unicodedata.normalize("NFKD", text.translate(_DANISH_LETTERS))
    return folded.encode("ascii", "ignore").decode("ascii")


def slugify(text: str) -> str:
    """A readable ASCII slug for file names and links: 'RAR Fyn, 2024' → 'rar-fyn-2024',
    'Køkken, restaurant og rengøring' → 'koekken-restaurant-og-rengoering'. Lower-case letters,
    digits, '-' and '_' only; an underscore is kept (it separates the parts of a file name)
    and never has a hyphen beside it."""
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_fold(text).lower())
    slug = re.sub(r"-*_-*", "_", slug)
    slug = re.sub(r"_+", "_", slug)
    return slug.strip("-_")


def name_key(text: str) -> str:
    """A name folded for matching, e.g. a column header or a label in a published table:
    'Kursus-ID ' → 'kursus_id', 'Køn' → 'koen', 'Indsatsområde' → 'indsatsomraade'."""
    folded = ascii_fold(text.strip().lstrip("\ufeff").lower())
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def name_key_expr(expr: pl.Expr) -> pl.Expr:
    """``name_key`` for a column of values (Danish letters folded; lower-case letters and
    digits kept, anything else one '_'). Other accented letters become '_' here, not their
    base letter: Polars has no Unicode decomposition."""
    text = (expr.str.to_lowercase().str.replace_all("æ", "ae").str.replace_all("ø", "oe")
            .str.replace_all("å", "aa").str.replace_all(r"[^a-z0-9]+", "_"))
    return text.str.strip_chars("_")
