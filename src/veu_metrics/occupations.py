"""Reference occupations (job titles) used by courses and by the labour-market balance."""

from __future__ import annotations

from functools import cache
from importlib import resources

import polars as pl

THEMES: tuple[str, ...] = ("grøn omstilling", "digitalisering", "vindenergi", "automatisering")
INDUSTRY_GROUPS: tuple[str, ...] = (
    "Sundhed, omsorg og pleje",
    "Pædagogisk arbejde",
    "Bygge og anlæg",
    "Jern, metal og auto",
    "Industri og produktion",
    "Energi og forsyning",
    "Transport og logistik",
    "Køkken, restaurant og rengøring",
    "It og telekommunikation",
    "Kontor, handel og service",
    "Landbrug, skovbrug og fiskeri",
)
THEME_ENUM = pl.Enum(list(THEMES))
INDUSTRY_GROUP_ENUM = pl.Enum(list(INDUSTRY_GROUPS))


@cache
def occupations() -> pl.DataFrame:
    """Job titles: string code (leading zeros kept), Danish and English title, industry group,
    whether vocational education is required, and themes (a list)."""
    source = resources.files("veu_metrics") / "reference" / "occupations.csv"
    with resources.as_file(source) as path:
        raw = pl.read_csv(path, schema_overrides={"occupation_code": pl.String, "themes": pl.String})
    return raw.select(
        "occupation_code",
        "title_da",
        "title_en",
        pl.col("industry_group").cast(INDUSTRY_GROUP_ENUM),
        pl.col("vocational_required").cast(pl.Boolean),
        pl.col("themes").fill_null("").str.split("|")
        .list.eval(pl.element().filter(pl.element() != ""))
        .cast(pl.List(THEME_ENUM)),
    ).sort("occupation_code")
