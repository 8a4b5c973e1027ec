"""text.py: the one slugify and the one folding of names for matching."""

from pathlib import Path

import polars as pl
import pytest

from veu_metrics.filters import LIST_FIELDS, allowed_values
from veu_metrics.text import ascii_fold, name_key, name_key_expr, slugify


@pytest.mark.parametrize(("text", "expected"), [
    ("Køkken, restaurant og rengøring", "koekken-restaurant-og-rengoering"),  # a filter value
    ("Uddannelsesløft", "uddannelsesloeft"),
    ("RAR Fyn, 2024", "rar-fyn-2024"),  # a file name's part
    ("ÆRØ Å", "aeroe-aa"),
    ("Café Straße", "cafe-strae"),
    ("a - _ b", "a_b"),  # '_' separates the parts of a file name: no hyphen beside it
    ("x__y", "x_y"),
    ("  --Hej!--  ", "hej"),
    ("", ""),
])
def test_slugify(text, expected):
    assert slugify(text) == expected


def test_every_filter_value_slugs_to_letters_digits_and_hyphens():
    """Filters.short_name slugs filter values: they keep the form the old filters.slugify gave
    (no value holds an underscore, the only place the two former slugify functions differed)."""
    for field in LIST_FIELDS:
        try:
            values = allowed_values(field)
        except KeyError:  # a field without a fixed vocabulary (areas come from geography)
            continue
        for value in values:
            assert "_" not in value
            slug = slugify(value)
            assert slug and set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-"), (value, slug)


@pytest.mark.parametrize(("text", "expected"), [
    ("Kursus-ID ", "kursus_id"),
    ("Køn", "koen"),
    ("Indsatsområde", "indsatsomraade"),
    ("\ufeffÅr", "aar"),  # a byte-order mark left by Excel's CSV
    ("Tot. i alt", "tot_i_alt"),
    ("Café", "cafe"),
])
def test_name_key(text, expected):
    assert name_key(text) == expected


def test_name_key_expr_agrees_with_name_key_on_danish_names():
    names = ["Kursus-ID ", "Køn", "Indsatsområde", "Mangel på arbejdskraft", "ÆRØ", "1. halvår"]
    folded = pl.DataFrame({"n": names}).select(name_key_expr(pl.col("n").str.strip_chars()))
    assert folded["n"].to_list() == [name_key(n) for n in names]


def test_ascii_fold():
    assert ascii_fold("Æblegrød på Ærø, café") == "Aeblegroed paa Aeroe, cafe"


def test_one_home_for_slugs_and_name_folding():
    """No module of the core or the app defines its own slugify or Danish-letter folding."""
    root = Path(__file__).resolve().parents[1]
    found = []
    for folder in ("src/veu_metrics", "dashboard"):
        for path in sorted((root / folder).rglob("*.py")):
            if path.name == "text.py":
                continue
            source = path.read_text(encoding="utf-8")
            if "def slugify(" in source or 'replace("ø", "oe")' in source or "unicodedata" in source:
                found.append(str(path.relative_to(root)))
    assert not found, f"text folding outside text.py: {found}"
