"""Reference geography: the 98 municipalities and the area schemes they roll up into.

Two area schemes cover the councils' history: ``rar`` (the 8 regional labour-market councils, up to
the 2025 reform) and ``council`` (the 5 regional employment councils, one per region, from the
reform). Both are unions of whole municipalities, so any period can be shown in either scheme.
Always join on municipality codes, never names (spellings vary).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Literal, TypeGuard

import polars as pl

AreaScheme = Literal["rar", "council", "municipality"]
AREA_SCHEMES: tuple[AreaScheme, ...] = ("rar", "council", "municipality")


def is_scheme(value: object) -> TypeGuard[AreaScheme]:
    """Whether ``value`` names an area scheme (narrows a string read from a link or a file)."""
    return value in AREA_SCHEMES

# (code, Danish name, English name); codes are stable, URL-safe slugs.
RAR_AREAS: tuple[tuple[str, str, str], ...] = (
    ("hovedstaden", "RAR Hovedstaden", "RAR Capital Region"),
    ("bornholm", "RAR Bornholm", "RAR Bornholm"),
    ("sjaelland", "RAR Sjælland", "RAR Zealand"),
    ("fyn", "RAR Fyn", "RAR Funen"),
    ("sydjylland", "RAR Sydjylland", "RAR South Jutland"),
    ("oestjylland", "RAR Østjylland", "RAR East Jutland"),
    ("vestjylland", "RAR Vestjylland", "RAR West Jutland"),
    ("nordjylland", "RAR Nordjylland", "RAR North Jutland"),
)
_RAR_BY_NAME = {name: code for code, name, _ in RAR_AREAS}

# One council per region; keyed by the region code.
COUNCIL_AREAS: tuple[tuple[str, int, str, str], ...] = (
    ("nordjylland", 1081, "Beskæftigelsesrådet Nordjylland", "Employment Council North Jutland"),
    ("midtjylland", 1082, "Beskæftigelsesrådet Midtjylland", "Employment Council Central Jutland"),
    ("syddanmark", 1083, "Beskæftigelsesrådet Syddanmark", "Employment Council Southern Denmark"),
    ("hovedstaden", 1084, "Beskæftigelsesrådet Hovedstaden", "Employment Council Capital Region"),
    ("sjaelland", 1085, "Beskæftigelsesrådet Sjælland", "Employment Council Zealand"),
)
_COUNCIL_BY_REGION = {region: code for code, region, _, _ in COUNCIL_AREAS}

AMK_OFFICES = ("AMK Øst", "AMK Syd", "AMK Midt-Nord")

RAR_ENUM = pl.Enum([code for code, _, _ in RAR_AREAS])
COUNCIL_ENUM = pl.Enum([code for code, _, _, _ in COUNCIL_AREAS])
AMK_ENUM = pl.Enum(list(AMK_OFFICES))

MUNICIPALITY_COUNT = 98
CHRISTIANSOE_CODE = 411  # not a municipality; administered by the state, drawn with Bornholm
BORNHOLM_CODE = 400


@cache
def municipalities() -> pl.DataFrame:
    """The 98 municipalities with their region, RAR area, council area, AMK and centroid."""
    source = resources.files("veu_metrics") / "reference" / "municipalities.csv"
    with resources.as_file(source) as path:
        raw = pl.read_csv(
            path,
            schema_overrides={"municipality_code": pl.Int16, "region_code": pl.Int16},
        )
    frame = raw.select(
        pl.col("municipality_code"),
        pl.col("municipality_name"),
        pl.col("region_code"),
        pl.col("region_name"),
        pl.col("rar_area").replace_strict(_RAR_BY_NAME, return_dtype=RAR_ENUM).alias("rar_code"),
        pl.col("region_code")
        .replace_strict(_COUNCIL_BY_REGION, return_dtype=COUNCIL_ENUM)
        .alias("council_code"),
        pl.col("amk").cast(AMK_ENUM),
        pl.col("nuts3"),
        pl.col("lat").cast(pl.Float64),
        pl.col("lon").cast(pl.Float64),
        # AMU participation is highest west of Storebælt (Jutland and Funen regions).
        pl.col("region_code").is_in([1081, 1082, 1083]).alias("west_of_storebaelt"),
    ).sort("municipality_code")
    if frame.height != MUNICIPALITY_COUNT:
        raise RuntimeError(f"reference geography has {frame.height} municipalities, expected 98")
    return frame


def municipality_codes() -> list[int]:
    return municipalities()["municipality_code"].to_list()


def areas(scheme: AreaScheme) -> pl.DataFrame:
    """The areas of a scheme: ``area_code`` (str), ``area_name`` (Danish), ``area_name_en``."""
    if scheme == "rar":
        rows = [(c, da, en) for c, da, en in RAR_AREAS]
    elif scheme == "council":
        rows = [(c, da, en) for c, _, da, en in COUNCIL_AREAS]
    elif scheme == "municipality":
        m = municipalities()
        rows = [
            (str(code), name, name)
            for code, name in zip(m["municipality_code"], m["municipality_name"], strict=True)
        ]
    else:
        raise ValueError(f"unknown area scheme {scheme!r}; expected one of {AREA_SCHEMES}")
    return pl.DataFrame(
        rows, schema={"area_code": pl.String, "area_name": pl.String, "area_name_en": pl.String},
        orient="row",
    )


def area_lookup(scheme: AreaScheme) -> pl.DataFrame:
    """municipality_code → area_code (String) for a scheme; the join key for rolling up."""
    m = municipalities()
    if scheme == "rar":
        code = pl.col("rar_code").cast(pl.String)
    elif scheme == "council":
        code = pl.col("council_code").cast(pl.String)
    elif scheme == "municipality":
        code = pl.col("municipality_code").cast(pl.String)
    else:
        raise ValueError(f"unknown area scheme {scheme!r}; expected one of {AREA_SCHEMES}")
    return m.select("municipality_code", code.alias("area_code"))


def area_names(scheme: AreaScheme, lang: str = "da") -> dict[str, str]:
    column = "area_name_en" if lang == "en" else "area_name"
    frame = areas(scheme)
    return dict(zip(frame["area_code"], frame[column], strict=True))


def scheme_for(day: date, reform_date: date) -> Literal["rar", "council"]:
    """The council scheme in force on a day: RAR before the reform, councils from it."""
    return "council" if day >= reform_date else "rar"
