"""The data model: every table's columns, types and allowed values, in one place.

``docs/DATA.md`` documents the same model for people; ``tests/test_schema.py`` keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from veu_metrics.occupations import INDUSTRY_GROUP_ENUM, THEME_ENUM
from veu_metrics.periods import HALF_YEAR_PATTERN as HALF_YEAR_PATTERN  # defined in periods

EDUCATION_TYPES = ("AMU", "EUD-enkeltfag", "EUV", "Akademi", "Diplom", "FVU/OBU", "IKV", "Andet")
FUNDING_SCHEMES = (
    "Regional uddannelsespulje",
    "6 ugers jobrettet uddannelse",
    "Uddannelsesløft",
    "VEU-godtgørelse",
    "COVID-19 opkvalificering",
    "Virksomhedsbetalt",
    "Andet",
)
LABOUR_STATUSES = ("Forsikret ledig", "Øvrig ledig", "Beskæftiget")
UNEMPLOYED_STATUSES = ("Forsikret ledig", "Øvrig ledig")
GENDERS = ("Kvinde", "Mand")
AGE_BANDS = ("16-24", "25-29", "30-39", "40-49", "50-59", "60+")
EDUCATION_LEVELS = ("Ufaglært", "Faglært", "KVU", "MVU/LVU")
BALANCE_STATUSES = ("Mangel", "Paradoks", "Gode jobmuligheder", "Mindre gode jobmuligheder")
SHORTAGE_STATUSES = ("Mangel", "Paradoks")
FOCUS_AREAS = (
    "Sundhed og omsorg",
    "Bygge og anlæg",
    "Industri og produktion",
    "Transport og logistik",
    "Grøn omstilling",
    "Digitalisering og IT",
    "Pædagogik og undervisning",
    "Service og turisme",
)
BALANCE_SCHEMES = ("rar", "council")

EDUCATION_TYPE_ENUM = pl.Enum(list(EDUCATION_TYPES))
FUNDING_ENUM = pl.Enum(list(FUNDING_SCHEMES))
LABOUR_STATUS_ENUM = pl.Enum(list(LABOUR_STATUSES))
GENDER_ENUM = pl.Enum(list(GENDERS))
AGE_BAND_ENUM = pl.Enum(list(AGE_BANDS))
EDUCATION_LEVEL_ENUM = pl.Enum(list(EDUCATION_LEVELS))
BALANCE_STATUS_ENUM = pl.Enum(list(BALANCE_STATUSES))
FOCUS_AREA_ENUM = pl.Enum(list(FOCUS_AREAS))
BALANCE_SCHEME_ENUM = pl.Enum(list(BALANCE_SCHEMES))

AMU_NUMBER_PATTERN = re.compile(r"^\d{5}$")

TABLES: dict[str, dict[str, pl.DataType]] = {
    "courses": {
        "course_id": pl.String(),
        "title": pl.String(),
        "education_type": EDUCATION_TYPE_ENUM,
        "amu_number": pl.String(),
        "provider": pl.String(),
        "provider_municipality_code": pl.Int16(),
        "start_date": pl.Date(),
        "end_date": pl.Date(),
        "course_days": pl.Float64(),
        "occupation_code": pl.String(),
        "industry_group": INDUSTRY_GROUP_ENUM,
        "funding": FUNDING_ENUM,
        "job_veu": pl.Boolean(),
        "focus_area": FOCUS_AREA_ENUM,
        "themes": pl.List(THEME_ENUM),
        "seats": pl.Int32(),
        "cancelled": pl.Boolean(),
    },
    "enrolments": {
        "enrolment_id": pl.Int64(),
        "course_id": pl.String(),
        "person_id": pl.Int64(),
        "municipality_code": pl.Int16(),
        "labour_status": LABOUR_STATUS_ENUM,
        "gender": GENDER_ENUM,
        "age_band": AGE_BAND_ENUM,
        "education_level": EDUCATION_LEVEL_ENUM,
        "completed": pl.Boolean(),
        "employed_3m": pl.Boolean(),
        "employed_6m": pl.Boolean(),
    },
    "balance": {
        "half_year": pl.String(),
        "area_scheme": BALANCE_SCHEME_ENUM,
        "area_code": pl.String(),
        "occupation_code": pl.String(),
        "status": BALANCE_STATUS_ENUM,
    },
    "unemployment": {
        "month": pl.Date(),
        "municipality_code": pl.Int16(),
        "full_time_unemployed": pl.Float64(),
        "insured_unemployed": pl.Float64(),
    },
    "targets": {
        "year": pl.Int16(),
        "area_scheme": BALANCE_SCHEME_ENUM,
        "area_code": pl.String(),
        "measure": pl.String(),
        "focus_area": FOCUS_AREA_ENUM,
        "target": pl.Float64(),
    },
    # Framework conditions (rammevilkår) per municipality and year: the inputs of the expected-
    # uptake model on the Jobcentre page (see jobcentre.py and docs/DATA.md for the sources).
    "conditions": {
        "year": pl.Int16(),
        "municipality_code": pl.Int16(),
        "population": pl.Float64(),
        "unskilled_share": pl.Float64(),
        "senior_share": pl.Float64(),
        "long_term_share": pl.Float64(),
        "shortage_employment_share": pl.Float64(),
        "amu_distance_km": pl.Float64(),
    },
}

# Tables a dataset may lack: it then opens with the table empty (older datasets and partial
# imports keep working; the models that read it fall back as documented).
OPTIONAL_TABLES = frozenset({"conditions"})

# Columns that may hold nulls; every other column must be complete.
NULLABLE: dict[str, frozenset[str]] = {
    "courses": frozenset({"amu_number", "occupation_code", "industry_group", "focus_area"}),
    "enrolments": frozenset({"completed", "employed_3m", "employed_6m"}),
    "balance": frozenset(),
    "unemployment": frozenset({"insured_unemployed"}),
    "targets": frozenset({"focus_area"}),
    "conditions": frozenset(),
}

# The columns that identify a row.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "courses": ("course_id",),
    "enrolments": ("enrolment_id",),
    "balance": ("half_year", "area_scheme", "area_code", "occupation_code"),
    "unemployment": ("month", "municipality_code"),
    "targets": ("year", "area_scheme", "area_code", "measure", "focus_area"),
    "conditions": ("year", "municipality_code"),
}

METADATA_FIELDS = ("name", "source", "covers_from", "covers_to", "created_at", "next_update",
                   "version", "synthetic")


class SchemaError(ValueError):
    """A table does not match the data model. ``table`` and ``column`` say where."""

    def __init__(self, table: str, column: str | None, message: str):
        self.table = table
        self.column = column
        where = f"table '{table}'" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")


def check_schema(table: str, schema: Mapping[str, pl.DataType]) -> None:
    """Raise SchemaError unless ``schema`` has exactly the model's columns and types."""
    if table not in TABLES:
        raise SchemaError(table, None, f"unknown table; expected one of {sorted(TABLES)}")
    expected = TABLES[table]
    missing = [c for c in expected if c not in schema]
    if missing:
        raise SchemaError(table, missing[0], f"missing column(s): {', '.join(missing)}")
    extra = [c for c in schema if c not in expected]
    if extra:
        raise SchemaError(table, extra[0], f"unexpected column(s): {', '.join(extra)}")
    for column, dtype in expected.items():
        found = schema[column]
        if found != dtype:
            raise SchemaError(table, column, f"type {found}, expected {dtype}")


def empty_frame(table: str) -> pl.DataFrame:
    """A zero-row frame with the table's exact schema (handy in tests and for empty results)."""
    return pl.DataFrame(schema=TABLES[table])


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Cast a frame with the model's column names to the model's types and column order.

    Used by builders of hand-made frames (tests, generator); raises SchemaError on missing columns.
    """
    check_columns = [c for c in TABLES[table] if c not in frame.columns]
    if check_columns:
        raise SchemaError(table, check_columns[0], f"missing column(s): {', '.join(check_columns)}")
    return frame.select([pl.col(c).cast(t) for c, t in TABLES[table].items()])
