"""Facts: the dataset denormalised once per version, in memory, in compact types.

``prepare_facts`` does the joins every view would otherwise repeat (enrolments × courses ×
geography × labour-market balance), so that a filter change only filters and aggregates. The app
keeps one ``Facts`` per dataset version (``st.cache_resource``), shared by all sessions.

Columns of ``Facts.participations`` (one row per enrolment in a course that was not cancelled,
sorted by start month):

- ``course_idx`` (UInt32, row of ``Facts.courses``), ``person_id`` (Int64)
- ``municipality_code`` (Int16, the participant's), ``rar_code`` / ``council_code`` (Enum, its areas)
- ``labour_status``, ``gender``, ``age_band``, ``education_level`` (Enum), ``unemployed`` (Boolean)
- ``completed``, ``employed_3m``, ``employed_6m`` (Boolean, nullable)
- ``start_month``, ``end_month`` (Date, first day of the course's first and last month)
- ``course_days`` (Float32)
- ``record_key`` (UInt16) and ``person_hash`` (Int64): the enrolment's and the person's keys for
  disclosure control (``disclosure.record_keys``), derived from the ids with the dataset's secret
- the course's ``education_type``, ``funding``, ``job_veu``, ``focus_area``, ``industry_group``,
  ``occupation_code`` (Categorical), ``themes_mask`` (UInt8, bits in ``filters.THEME_BITS``)
- ``balance_status`` (Enum, nullable) and ``shortage`` (Boolean): the course's occupation's status
  in the labour-market balance of its start half-year, in the provider's area, under the scheme in
  force on the start date (falls back to the latest published half-year of that scheme).

``Facts.courses`` holds every course (cancelled too) with the same course attributes, the provider's
``provider_municipality_code`` / ``provider_rar_code`` / ``provider_council_code``, dates, the
occupation's titles, ``seats``, ``cancelled``, ``participants`` (enrolments) and
``participants_ckey`` (the sum of their record keys: the cell key of the course's count).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from veu_metrics import geography
from veu_metrics.dataset import Dataset
from veu_metrics.dimensions import course_columns, participant_columns
from veu_metrics.disclosure import PERSON_HASH, RECORD_KEY, TEST_SECRET, record_keys, resolve_secret
from veu_metrics.filters import THEME_BITS, register_occupations
from veu_metrics.occupations import dataset_occupations
from veu_metrics.periods import (
    add_months,
    half_year_index_expr,
    half_year_index_of_label_expr,
    half_year_label_expr,
    half_year_label_of_index_expr,
    last_complete_month,
    month_end,
    month_start,
    months_apart_expr,
)
from veu_metrics.schema import (
    BALANCE_SCHEME_ENUM,
    OPTIONAL_TABLES,
    SHORTAGE_STATUSES,
    TABLES,
    UNEMPLOYED_STATUSES,
    empty_frame,
)

# The course dimensions' columns, carried onto each participation (``dimensions.DIMENSIONS``).
COURSE_ATTRIBUTES = course_columns()


@dataclass(frozen=True, eq=False)
class Facts:
    """In-memory, denormalised frames of one dataset version (see the module docstring)."""

    participations: pl.DataFrame
    courses: pl.DataFrame
    unemployment: pl.DataFrame
    balance: pl.DataFrame
    targets: pl.DataFrame
    reform_date: date
    covers_from: date
    covers_to: date
    version: str = ""
    max_course_months: int = 1200
    """The longest course, in months from start month to end month: end-month measures need
    no rows that started longer ago than this before their period."""
    occupations: pl.DataFrame = field(default_factory=dataset_occupations, repr=False)
    """The dataset's occupation list (the reference plus the titles its data brings)."""
    conditions: pl.DataFrame = field(default_factory=lambda: empty_frame("conditions"))
    """Framework conditions per municipality and year (empty when the dataset has none)."""

    @property
    def last_month(self) -> date:
        """The last month with complete data."""
        return last_complete_month(self.covers_to)

    def memory_mb(self) -> float:
        frames = (self.participations, self.courses, self.unemployment, self.balance, self.targets)
        return sum(f.estimated_size("mb") for f in frames)


def _tables(dataset: Dataset | Mapping[str, pl.LazyFrame | pl.DataFrame]) -> dict[str, pl.LazyFrame]:
    raw = dataset.tables if isinstance(dataset, Dataset) else dataset
    tables = {}
    for name in TABLES:
        if name not in raw and name in OPTIONAL_TABLES:
            tables[name] = empty_frame(name).lazy()
            continue
        if name not in raw:
            raise ValueError(f"the dataset lacks the table {name!r}")
        frame = raw[name]
        tables[name] = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    return tables


def _geography_frame(prefix: str) -> pl.LazyFrame:
    m = geography.municipalities()
    return m.lazy().select(
        pl.col("municipality_code").alias(f"{prefix}municipality_code"),
        pl.col("rar_code").alias(f"{prefix}rar_code"),
        pl.col("council_code").alias(f"{prefix}council_code"),
    )


def _themes_mask() -> pl.Expr:
    bits = {theme: bit for theme, bit in THEME_BITS.items()}
    return (
        pl.col("themes")
        .list.eval(pl.element().cast(pl.String).replace_strict(bits, return_dtype=pl.UInt8))
        .list.sum()
        .fill_null(0)
        .cast(pl.UInt8)
    )


def _balance_frame(balance: pl.LazyFrame) -> pl.DataFrame:
    return balance.with_columns(
        half_year_index_of_label_expr(pl.col("half_year")).alias("half_year_index")
    ).collect()


def _course_frame(courses: pl.LazyFrame, balance: pl.DataFrame, reform_date: date,
                  occupation_list: pl.DataFrame) -> pl.DataFrame:
    occ = occupation_list.lazy().select(
        "occupation_code",
        pl.col("title_da").alias("occupation_title_da"),
        pl.col("title_en").alias("occupation_title_en"),
    )
    frame = (
        courses.with_columns(
            pl.col("start_date").dt.truncate("1mo").alias("start_month"),
            pl.col("end_date").dt.truncate("1mo").alias("end_month"),
            _themes_mask().alias("themes_mask"),
            half_year_label_expr(pl.col("start_date")).alias("half_year"),
            half_year_index_expr(pl.col("start_date")).alias("half_year_index"),
            pl.when(pl.col("start_date") >= reform_date).then(pl.lit("council"))
            .otherwise(pl.lit("rar")).cast(BALANCE_SCHEME_ENUM).alias("balance_scheme"),
        )
        .join(_geography_frame("provider_"), on="provider_municipality_code", how="left")
        .join(occ, on="occupation_code", how="left")
        .with_columns(
            pl.when(pl.col("balance_scheme") == "council")
            .then(pl.col("provider_council_code").cast(pl.String))
            .otherwise(pl.col("provider_rar_code").cast(pl.String))
            .alias("balance_area_code")
        )
        .collect()
    )
    frame = _attach_balance_status(frame, balance)
    return (
        frame.sort("start_date", "course_id")
        .with_row_index("course_idx")
        .with_columns(pl.col("occupation_code").cast(pl.Categorical))
    )


def _attach_balance_status(courses: pl.DataFrame, balance: pl.DataFrame) -> pl.DataFrame:
    """The status of each course's occupation in its start half-year, provider area and scheme.

    A half-year not yet published in that scheme uses the latest earlier published one.
    """
    published = (
        balance.select("area_scheme", "half_year_index").unique()
        .rename({"area_scheme": "balance_scheme", "half_year_index": "balance_half_year_index"})
        .with_columns(pl.col("balance_half_year_index").alias("_key"))
        .sort("_key")
    )
    with_index = (
        courses.with_columns(pl.col("half_year_index").alias("_key"))
        .sort("_key")
        .join_asof(published, on="_key", by="balance_scheme", strategy="backward",
                   check_sortedness=False)
        .drop("_key")
    )
    statuses = balance.select(
        pl.col("area_scheme").alias("balance_scheme"),
        pl.col("half_year_index").alias("balance_half_year_index"),
        pl.col("area_code").alias("balance_area_code"),
        "occupation_code",
        pl.col("status").alias("balance_status"),
    )
    return with_index.join(
        statuses, on=["balance_scheme", "balance_half_year_index", "balance_area_code",
                      "occupation_code"], how="left",
    ).with_columns(
        pl.col("balance_status").is_in(list(SHORTAGE_STATUSES)).fill_null(False).alias("shortage"),
        pl.when(pl.col("balance_half_year_index").is_not_null())
        .then(half_year_label_of_index_expr(pl.col("balance_half_year_index")))
        .alias("balance_half_year"),
    )


def _with_keys(enrolments: pl.LazyFrame, secret: bytes) -> pl.DataFrame:
    """The enrolments with their record keys, derived here rather than stored: the same record
    gets the same key in every version, so an import keeps the keys of the records it keeps."""
    frame = enrolments.collect()
    record, person = record_keys(frame["enrolment_id"], frame["person_id"], secret)
    return frame.with_columns(record, person)


def _participation_frame(enrolments: pl.LazyFrame, courses: pl.DataFrame) -> pl.DataFrame:
    course_columns = courses.lazy().filter(~pl.col("cancelled")).select(
        "course_id", "course_idx", "start_month", "end_month",
        pl.col("course_days").cast(pl.Float32), *COURSE_ATTRIBUTES,
    )
    return (
        enrolments.join(course_columns, on="course_id", how="inner")
        .join(_geography_frame(""), on="municipality_code", how="left")
        .select(
            "course_idx", "person_id", "municipality_code", "rar_code", "council_code",
            *participant_columns(),
            pl.col("labour_status").is_in(list(UNEMPLOYED_STATUSES)).alias("unemployed"),
            "completed", "employed_3m", "employed_6m",
            "start_month", "end_month", "course_days", *COURSE_ATTRIBUTES,
            RECORD_KEY, PERSON_HASH,
        )
        .sort("start_month", "course_idx")
        .collect()
    )


def prepare_facts(
    dataset: Dataset | Mapping[str, pl.LazyFrame | pl.DataFrame],
    reform_date: date,
    *,
    covers_from: date | None = None,
    covers_to: date | None = None,
    secret: bytes | None = None,
    occupations: pl.DataFrame | None = None,
) -> Facts:
    """Build the in-memory facts of a dataset (a ``Dataset`` or a mapping of table → frame).

    Coverage comes from the dataset's metadata; for a plain mapping pass it, or it is taken from
    the courses' first and last start dates. ``secret`` draws the record keys; by default
    ``disclosure.resolve_secret`` finds the dataset's (a plain mapping gets a fixed test secret).
    The occupation list is the dataset's (for a plain mapping ``occupations``, a frame like
    ``occupations.dataset_occupations()``, else the reference list); its codes become valid
    filter values (``filters.register_occupations``).
    """
    tables = _tables(dataset)
    if secret is None:
        secret = (resolve_secret(dataset.path, dataset.metadata) if isinstance(dataset, Dataset)
                  else TEST_SECRET)
    if occupations is None:
        occupations = dataset.occupations if isinstance(dataset, Dataset) else dataset_occupations()
    register_occupations(occupations)
    enrolments = _with_keys(tables["enrolments"], secret).lazy()
    balance = _balance_frame(tables["balance"])
    courses = _course_frame(tables["courses"], balance, reform_date, occupations)
    enrolment_counts = (
        enrolments.group_by("course_id").agg(
            pl.len().cast(pl.UInt32).alias("participants"),
            pl.col(RECORD_KEY).cast(pl.Int64).sum().alias("participants_ckey"),
        ).collect()
    )
    courses = courses.join(enrolment_counts, on="course_id", how="left").with_columns(
        pl.col("participants").fill_null(0), pl.col("participants_ckey").fill_null(0)
    ).sort("course_idx")
    participations = _participation_frame(enrolments, courses)
    unemployment = (
        tables["unemployment"]
        .join(_geography_frame(""), on="municipality_code", how="left")
        .sort("month", "municipality_code")
        .collect()
    )
    targets = tables["targets"].collect()
    if isinstance(dataset, Dataset):
        covers_from = covers_from or dataset.covers_from
        covers_to = covers_to or dataset.covers_to
    if covers_from is None:
        first = courses["start_date"].min()
        covers_from = month_start(first) if isinstance(first, date) else date(2018, 1, 1)
    if covers_to is None:
        last = courses["start_date"].max()
        last_month = month_start(last) if isinstance(last, date) else covers_from
        covers_to = month_end(last_month)
    longest = courses.select(months_apart_expr(pl.col("start_month"), pl.col("end_month")).max()).item()
    return Facts(
        participations=participations,
        courses=courses,
        unemployment=unemployment,
        balance=balance,
        targets=targets,
        reform_date=reform_date,
        covers_from=covers_from,
        covers_to=covers_to,
        version=dataset.version if isinstance(dataset, Dataset) else "",
        max_course_months=int(longest or 0),
        occupations=occupations,
        conditions=tables["conditions"].collect(),
    )


def earliest_start_for_end(facts: Facts, first_end_month: date) -> date:
    """The earliest start month a course ending in ``first_end_month`` or later can have."""
    return add_months(first_end_month, -facts.max_course_months)


def slice_by_start(frame: pl.DataFrame, first: date | None, last: date | None) -> pl.DataFrame:
    """Rows whose start month lies in [first, last], cut by binary search (frames are sorted)."""
    months = frame["start_month"]
    lo = 0 if first is None else int(months.search_sorted(first, side="left"))
    hi = frame.height if last is None else int(months.search_sorted(last, side="right"))
    return frame.slice(lo, max(hi - lo, 0))
