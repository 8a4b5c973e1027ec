"""Reference occupations (job titles) used by courses and by the labour-market balance."""

from __future__ import annotations

import hashlib
import re
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
    "IT og telekommunikation",
    "Kontor, handel og service",
    "Landbrug, skovbrug og fiskeri",
)
THEME_ENUM = pl.Enum(list(THEMES))
INDUSTRY_GROUP_ENUM = pl.Enum(list(INDUSTRY_GROUPS))
LEGACY_INDUSTRY_GROUPS: dict[str, str] = {"It og telekommunikation": "IT og telekommunikation"}
"""Old spellings of industry groups (datasets, files and links made before the label was fixed)
→ the current label. Every reader accepts them; nothing writes them."""


def industry_group_expr(column: str = "industry_group") -> pl.Expr:
    """``column`` (text or an Enum of any spelling) as ``INDUSTRY_GROUP_ENUM``, old spellings
    mapped to the current labels."""
    return (pl.col(column).cast(pl.String).replace(LEGACY_INDUSTRY_GROUPS)
            .cast(INDUSTRY_GROUP_ENUM).alias(column))


def upgrade_industry_group(frame: pl.LazyFrame, schema: pl.Schema) -> pl.LazyFrame:
    """A stored table whose ``industry_group`` Enum was written with old spellings, read with the
    current Enum (other tables and current files are returned unchanged)."""
    dtype = schema.get("industry_group")
    if not isinstance(dtype, pl.Enum) or dtype == INDUSTRY_GROUP_ENUM:
        return frame
    current = {LEGACY_INDUSTRY_GROUPS.get(c, c) for c in dtype.categories.to_list()}
    if not current <= set(INDUSTRY_GROUPS):
        return frame  # not an old spelling: let the schema check name the problem
    return frame.with_columns(industry_group_expr())


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


# ---------------------------------------------------------------------------------------------
# A dataset's occupations: the reference list plus the titles its data brings

OCCUPATIONS_FILE = "occupations.parquet"
"""Optional file of a dataset version: occupations its data uses beyond the reference list."""

OCCUPATION_SCHEMA: dict[str, pl.DataType] = {
    "occupation_code": pl.String(),
    "title_da": pl.String(),
    "title_en": pl.String(),
    "industry_group": INDUSTRY_GROUP_ENUM,
    "vocational_required": pl.Boolean(),
    "themes": pl.List(THEME_ENUM),
}
"""Columns of ``occupations()`` and of a dataset's ``occupations.parquet`` (all but the code and
the Danish title may be null: the reference only enriches, it is not required)."""

ASSIGNED_CODE_PREFIX = "T-"
"""Codes assigned to job titles that came without a code: ``T-`` and 8 hex digits of the title's
SHA-256. Real job title codes are 4–6 digits, so an assigned code never collides with one."""

def title_key(title: str) -> str:
    """How job titles are compared: case and runs of white space do not matter."""
    return re.sub(r"\s+", " ", title).strip().lower()


def assigned_code(title: str) -> str:
    """The stable code of a job title without one: the same title gives the same code in every
    file and dataset (``T-`` + the first 8 hex digits of SHA-256 of the normalised title)."""
    return ASSIGNED_CODE_PREFIX + hashlib.sha256(title_key(title).encode("utf-8")).hexdigest()[:8]


def conform_occupations(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame with at least ``occupation_code`` and ``title_da`` → ``OCCUPATION_SCHEMA`` (missing
    columns null; themes an empty list)."""
    columns = []
    for name, dtype in OCCUPATION_SCHEMA.items():
        if name == "industry_group" and name in frame.columns:
            columns.append(industry_group_expr())
        elif name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        elif name == "themes":
            columns.append(pl.lit([], dtype=dtype).alias(name))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(columns)


def dataset_occupations(extra: pl.DataFrame | None = None) -> pl.DataFrame:
    """A dataset's occupation list: the reference list, plus the dataset's own occupations whose
    codes the reference lacks (a code the reference has keeps the reference's row). Titles are
    unique in the result (a repeated title gets its code in brackets), so a title can stand for
    its code in links and menus. Sorted by code, like ``occupations()``."""
    reference = occupations()
    if extra is None or extra.height == 0:
        return reference
    own = conform_occupations(extra).filter(
        ~pl.col("occupation_code").is_in(reference["occupation_code"].implode())
    ).unique("occupation_code", keep="first", maintain_order=True)
    own = own.with_columns(pl.col("title_da").fill_null(pl.col("occupation_code")))
    taken = {title_key(t) for t in reference["title_da"]}
    titles = []
    for code, title in own.select("occupation_code", "title_da").iter_rows():
        if title_key(title) in taken:
            title = f"{title} ({code})"
        taken.add(title_key(title))
        titles.append(title)
    own = own.with_columns(pl.Series("title_da", titles, dtype=pl.String)).with_columns(
        pl.col("title_en").fill_null(pl.col("title_da")))
    return pl.concat([reference, own], how="vertical").sort("occupation_code")
