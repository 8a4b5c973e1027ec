"""The measures catalogue: every measure's titles, definitions, unit, attribution and formula,
from one file.

``measures.yaml`` is the single source. A measure's ``formula`` (``Formula``) says what it counts
or sums, over which rows, divided by what; ``aggregate.part_exprs`` is the one computation that
reads it, so a new measure is a catalogue entry (CONTRIBUTING.md, "Recipe: add a measure"). It feeds help texts, the definitions page, exported files
and ``docs/MEASURES.md`` (``render_measures_markdown``; ``python -m veu_metrics.catalogue``
rewrites the file, and a test keeps the committed file equal to the generated text).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from veu_metrics.i18n import t

Unit = Literal["courses", "persons", "participations", "aarselever", "share", "per_1000"]
Kind = Literal["count", "sum", "distinct", "rate"]

UNITS: tuple[str, ...] = ("courses", "persons", "participations", "aarselever", "share", "per_1000")
KINDS: tuple[str, ...] = ("count", "sum", "distinct", "rate")
TABLES: tuple[str, ...] = ("courses", "enrolments")
PERIOD_BASES: tuple[str, ...] = ("start", "end")


def unit_text(unit: str, lang: str = "da") -> str | None:
    """A unit's label ('kurser', 'courses': ``unit.*`` in texts.yaml); None for a unit that is not
    one of ``UNITS``."""
    return t(f"unit.{unit}", lang) if unit in UNITS else None


# The measures every other module may rely on; the catalogue must define all of them.
REQUIRED_KEYS: tuple[str, ...] = (
    "courses_started", "participations", "persons", "aarselever", "shortage_share",
    "completion_rate", "employment_rate_3m", "employment_rate_6m", "jobcentre_uptake",
    "job_veu_courses", "job_veu_share",
)


class CatalogueError(ValueError):
    """measures.yaml is incomplete or has a value that is not allowed; the message names it."""


# ------------------------------------------------------------------------------------ formulas
# The fact columns a condition may name, per table (columns of ``facts.Facts.participations``
# and ``Facts.courses``; tests/test_measure_formulas.py checks them against the facts). A
# condition takes the rows where a Boolean column (FLAG_COLUMNS) is true, where a column with
# fixed values (VALUE_COLUMNS, Enum: compared without a cast) has one of a list, or where a
# column is known (either kind).
FLAG_COLUMNS: dict[str, tuple[str, ...]] = {
    "enrolments": ("unemployed", "completed", "employed_3m", "employed_6m", "job_veu", "shortage"),
    "courses": ("job_veu", "shortage"),
}
VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "enrolments": ("labour_status", "gender", "age_band", "education_level", "education_type",
                   "funding", "focus_area", "industry_group", "balance_status"),
    "courses": ("education_type", "funding", "focus_area", "industry_group", "balance_status"),
}
# Distinct counts and sums are protected through keys the facts carry for exactly these
# columns (the person's key; the support count of the rows summed), so no other is allowed.
DISTINCT_COLUMNS: dict[str, tuple[str, ...]] = {"enrolments": ("person_id",), "courses": ()}
SUM_COLUMNS: dict[str, tuple[str, ...]] = {"enrolments": ("course_days",), "courses": ()}
NUMERATOR_OPS: tuple[str, ...] = ("count", "count_where", "known_where", "count_distinct", "sum")
DENOMINATOR_OPS: tuple[str, ...] = ("count", "count_where", "known_where")
FORMULA_OPTIONS: tuple[str, ...] = ("population", "denominator", "divide_by", "scale")
UNEMPLOYMENT: Literal["unemployment"] = "unemployment"
"""The denominator that is the period's average full-time unemployed (public statistics)."""


@dataclass(frozen=True)
class Condition:
    """Which rows a count takes: ``column`` true, in ``values``, or (``known``) not null."""

    column: str
    values: tuple[str, ...] | None = None
    known: bool = False

    def spec(self) -> str:
        """The condition as written in measures.yaml (for docs and messages)."""
        if self.known:
            return f"known_where: {self.column}"
        if self.values is not None:
            return f"{self.column} in [{', '.join(self.values)}]"
        return self.column


@dataclass(frozen=True)
class Aggregation:
    """One aggregation over a measure's rows.

    ``op`` ``count``: the rows (where ``where`` holds, if given); ``distinct``: distinct values of
    ``column``; ``sum``: the sum of ``column`` divided by ``divide_by``.
    """

    op: Literal["count", "distinct", "sum"]
    where: Condition | None = None
    column: str | None = None
    divide_by: float = 1.0

    def spec(self) -> str:
        if self.op == "distinct":
            return f"count_distinct: {self.column}"
        if self.op == "sum":
            return f"sum: {self.column}" + (f" ÷ {self.divide_by:g}" if self.divide_by != 1 else "")
        if self.where is None:
            return "count: rows"
        return self.where.spec() if self.where.known else f"count_where: {self.where.spec()}"


@dataclass(frozen=True)
class Formula:
    """What a measure computes: ``numerator`` (÷ ``denominator`` × ``scale`` for rates) over the
    rows of its table in its period, restricted to ``population`` when given.

    ``denominator`` is an aggregation over the same rows, or ``"unemployment"``: the average
    full-time unemployed of the period and area (the job-centre uptake).
    """

    numerator: Aggregation
    denominator: Aggregation | Literal["unemployment"] | None = None
    population: Condition | None = None
    scale: float = 1.0

    @property
    def counted_denominator(self) -> Aggregation | None:
        """The denominator when it is a count of rows (a protected person count for enrolments)."""
        return self.denominator if isinstance(self.denominator, Aggregation) else None

    @property
    def per_unemployed(self) -> bool:
        return self.denominator == UNEMPLOYMENT

    def spec(self) -> str:
        """One line in the catalogue's own terms, e.g. ``count_where: completed ÷ known_where: completed``."""
        text = self.numerator.spec()
        if isinstance(self.denominator, Aggregation):
            text += f" ÷ {self.denominator.spec()}"
        elif self.denominator == UNEMPLOYMENT:
            text += " ÷ average full-time unemployed"
        if self.scale != 1:
            text += f" × {self.scale:g}"
        if self.population is not None:
            text += f"; population: {self.population.spec()}"
        return text


@dataclass(frozen=True)
class Measure:
    """One measure: its texts in Danish and English side by side (``*_da`` / ``*_en``), its
    metadata and its formula."""

    key: str
    title_da: str
    title_en: str
    definition_da: str
    definition_en: str
    unit: Unit
    decimals: int
    kind: Kind
    table: str
    period_basis: Literal["start", "end"]
    area_attribution_da: str
    area_attribution_en: str
    source_da: str
    source_en: str
    is_person_count: bool
    higher_is_better: bool
    kpi: bool
    picker: int | None
    """The measure's place in the measure picker (1 = first, the default); None: not offered."""
    formula: Formula

    def title(self, lang: str = "da") -> str:
        return self.title_en if lang == "en" else self.title_da

    def definition(self, lang: str = "da") -> str:
        return self.definition_en if lang == "en" else self.definition_da

    def area_attribution(self, lang: str = "da") -> str:
        return self.area_attribution_en if lang == "en" else self.area_attribution_da

    def source(self, lang: str = "da") -> str:
        return self.source_en if lang == "en" else self.source_da

    def unit_label(self, lang: str = "da") -> str:
        return t(f"unit.{self.unit}", lang)

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    def help_text(self, lang: str = "da") -> str:
        """The text behind a measure's "i": definition, area attribution and source."""
        return (f"{self.definition(lang)}\n\n{self.area_attribution(lang)}\n\n"
                + t("measure.source", lang, source=self.source(lang)))


MEASURE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Measure) if f.name != "key")


def parse_catalogue(raw: object) -> dict[str, Measure]:
    """Check and convert the parsed YAML; raise CatalogueError naming measure and field."""
    if not isinstance(raw, dict) or not raw:
        raise CatalogueError("measures.yaml must map measure keys to their fields")
    catalogue: dict[str, Measure] = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            raise CatalogueError(f"measure {key!r}: expected a mapping of fields")
        missing = [f for f in MEASURE_FIELDS if entry.get(f) is None or entry.get(f) == ""]
        if missing:
            raise CatalogueError(f"measure {key!r} lacks field(s): {', '.join(missing)}")
        extra = sorted(set(entry) - set(MEASURE_FIELDS))
        if extra:
            raise CatalogueError(f"measure {key!r} has unknown field(s): {', '.join(extra)}")
        _check_field_values(str(key), entry)
        values = {f: entry[f] for f in MEASURE_FIELDS}
        values["formula"] = parse_formula(str(key), entry["formula"], entry["table"], entry["kind"])
        values["picker"] = entry["picker"] or None
        catalogue[str(key)] = Measure(key=str(key), **values)
    missing_keys = [k for k in REQUIRED_KEYS if k not in catalogue]
    if missing_keys:
        raise CatalogueError(f"measures.yaml lacks measure(s): {', '.join(missing_keys)}")
    _check_picker_places(catalogue)
    return catalogue


def _check_picker_places(catalogue: dict[str, Measure]) -> None:
    """The picker's places are 1, 2, … n, each held by one measure (none offered is allowed)."""
    by_place: dict[int, list[str]] = {}
    for key, m in catalogue.items():
        if m.picker is not None:
            by_place.setdefault(m.picker, []).append(key)
    for place, keys in sorted(by_place.items()):
        if len(keys) > 1:
            raise CatalogueError(f"measures {', '.join(map(repr, keys))} share picker place {place}")
    for place, keys in sorted(by_place.items()):
        if place > 1 and place - 1 not in by_place:
            raise CatalogueError(f"measure {keys[0]!r}: picker {place}, but no measure has picker "
                                 f"{place - 1} (the places run 1, 2, 3, … with no gap)")


def _check_field_values(key: str, entry: dict[str, Any]) -> None:
    """One entry's fields have allowed values and types (its formula is checked apart)."""
    checks = {"unit": UNITS, "kind": KINDS, "table": TABLES, "period_basis": PERIOD_BASES}
    for name, allowed in checks.items():
        if entry[name] not in allowed:
            raise CatalogueError(f"measure {key!r}: {name}={entry[name]!r}, expected one of {allowed}")
    for name in ("is_person_count", "higher_is_better", "kpi"):
        if not isinstance(entry[name], bool):
            raise CatalogueError(f"measure {key!r}: {name} must be true or false")
    # Every figure over enrolments counts persons and goes through disclosure control;
    # courses carry no record keys and are published as they are.
    if entry["is_person_count"] != (entry["table"] == "enrolments"):
        raise CatalogueError(f"measure {key!r}: is_person_count must be "
                             f"{str(entry['table'] == 'enrolments').lower()} for table {entry['table']}")
    picker = entry["picker"]
    if picker is not False and (not isinstance(picker, int) or isinstance(picker, bool) or picker < 1):
        raise CatalogueError(f"measure {key!r}: picker must be a place in the measure picker "
                             f"(1, 2, 3, …) or false, not {picker!r}")
    if not isinstance(entry["decimals"], int) or not 0 <= entry["decimals"] <= 3:
        raise CatalogueError(f"measure {key!r}: decimals must be a whole number 0–3")
    text_fields = [f for f in MEASURE_FIELDS if f.endswith(("_da", "_en"))]
    for name in text_fields:
        if not isinstance(entry[name], str):
            raise CatalogueError(f"measure {key!r}: {name} must be text")


def _condition(key: str, raw: object, table: str, *, known: bool = False) -> Condition:
    """``column`` (Boolean), ``{column: c, in: [..]}``, or with ``known`` a column that is known."""
    flags, valued = FLAG_COLUMNS[table], VALUE_COLUMNS[table]
    names = (*flags, *valued) if known else flags
    if isinstance(raw, str) and raw in names:
        return Condition(column=raw, known=known)
    if (not known and isinstance(raw, dict) and set(raw) == {"column", "in"}
            and raw["column"] in valued and isinstance(raw["in"], list) and raw["in"]
            and all(isinstance(v, str) for v in raw["in"])):
        return Condition(column=raw["column"], values=tuple(raw["in"]))
    what = f"a column of table {table} ({', '.join(names)})"
    if not known:
        what += f" or be {{column: <column>, in: [values]}} with one of {', '.join(valued)}"
    raise CatalogueError(f"measure {key!r}: condition {raw!r} must name {what}")


def _aggregate(key: str, raw: dict[str, object], ops: tuple[str, ...], table: str,
               where: str) -> Aggregation:
    chosen = [op for op in ops if op in raw]
    if len(chosen) != 1:
        raise CatalogueError(f"measure {key!r}: the {where} needs exactly one of {', '.join(ops)}")
    op, value = chosen[0], raw[chosen[0]]
    if op == "count":
        if value != "rows":
            raise CatalogueError(f"measure {key!r}: write 'count: rows' (found {value!r})")
        return Aggregation("count")
    if op in ("count_where", "known_where"):
        return Aggregation("count", where=_condition(key, value, table, known=op == "known_where"))
    columns = (DISTINCT_COLUMNS if op == "count_distinct" else SUM_COLUMNS)[table]
    if value not in columns:
        raise CatalogueError(f"measure {key!r}: {op}: {value!r} is not allowed on table {table}"
                             f" (allowed: {', '.join(columns) or 'none'})")
    if op == "count_distinct":
        return Aggregation("distinct", column=str(value))
    divide_by = raw.get("divide_by", 1)
    if not isinstance(divide_by, int | float) or isinstance(divide_by, bool) or divide_by <= 0:
        raise CatalogueError(f"measure {key!r}: divide_by must be a positive number")
    return Aggregation("sum", column=str(value), divide_by=float(divide_by))


# Which numerator each kind takes, and whether it has a denominator.
_KIND_SHAPES: dict[str, tuple[str, bool]] = {
    "count": ("count", False), "distinct": ("distinct", False), "sum": ("sum", False),
    "rate": ("count", True),
}


def parse_formula(key: str, raw: object, table: str, kind: str) -> Formula:
    """Check and convert one measure's ``formula`` mapping (see the head of measures.yaml)."""
    if not isinstance(raw, dict):
        raise CatalogueError(f"measure {key!r}: formula must be a mapping")
    unknown = sorted(set(raw) - set(NUMERATOR_OPS) - set(FORMULA_OPTIONS))
    if unknown:
        raise CatalogueError(f"measure {key!r}: formula has unknown key(s): {', '.join(unknown)}")
    numerator = _aggregate(key, raw, NUMERATOR_OPS, table, "formula")
    if "divide_by" in raw and numerator.op != "sum":
        raise CatalogueError(f"measure {key!r}: divide_by belongs to a sum")
    denominator = _denominator(key, raw.get("denominator"), table)
    op, has_denominator = _KIND_SHAPES[kind]
    if numerator.op != op or (denominator is not None) != has_denominator:
        shape = f"a {op} numerator" + (" and a denominator" if has_denominator else ", no denominator")
        raise CatalogueError(f"measure {key!r}: kind {kind} needs {shape}")
    population = _condition(key, raw["population"], table) if "population" in raw else None
    scale = raw.get("scale", 1)
    if not isinstance(scale, int | float) or isinstance(scale, bool) or scale <= 0:
        raise CatalogueError(f"measure {key!r}: scale must be a positive number")
    if scale != 1 and denominator is None:
        raise CatalogueError(f"measure {key!r}: scale belongs to a rate")
    return Formula(numerator=numerator, denominator=denominator, population=population,
                   scale=float(scale))


def _denominator(key: str, spec: object, table: str
                 ) -> Aggregation | Literal["unemployment"] | None:
    """A formula's ``denominator``: the unemployment figure, a count, or none."""
    if spec is None:
        return None
    if spec == UNEMPLOYMENT:
        if table != "enrolments":
            raise CatalogueError(f"measure {key!r}: only enrolments have an unemployment denominator")
        return UNEMPLOYMENT
    if isinstance(spec, dict):
        extra = sorted(set(spec) - set(DENOMINATOR_OPS))
        if extra:
            raise CatalogueError(f"measure {key!r}: denominator has unknown key(s): {', '.join(extra)}")
        return _aggregate(key, spec, DENOMINATOR_OPS, table, "denominator")
    raise CatalogueError(f"measure {key!r}: denominator must be '{UNEMPLOYMENT}' or a count "
                         f"({', '.join(DENOMINATOR_OPS)})")


@cache
def load_catalogue() -> dict[str, Measure]:
    """All measures by key, in the file's order (cached; the file ships with the package)."""
    source = resources.files("veu_metrics") / "measures.yaml"
    return parse_catalogue(yaml.safe_load(source.read_text(encoding="utf-8")))


def get_measure(key: str) -> Measure:
    catalogue = load_catalogue()
    if key not in catalogue:
        raise KeyError(f"unknown measure {key!r}; known: {', '.join(catalogue)}")
    return catalogue[key]


def kpi_measures() -> list[str]:
    """The measures shown as KPI cards on the overview page, in catalogue order."""
    return [key for key, m in load_catalogue().items() if m.kpi]


def pickable_measures() -> tuple[str, ...]:
    """The measures the measure picker offers, in its order (each entry's ``picker`` place); the
    first is the picker's default."""
    offered = [m for m in load_catalogue().values() if m.picker is not None]
    return tuple(m.key for m in sorted(offered, key=lambda m: m.picker or 0))


# Derived figures that are not single measures; documented with the measures.
DERIVED_NOTES: tuple[tuple[str, str, str], ...] = (
    (
        "Forventet brug af opkvalificering (jobcentre) / Expected uptake (job centres)",
        "**Hvad tallet siger.** Forventet brug er den brug pr. 1.000 fuldtidsledige, som "
        "kommuner med samme rammevilkår har i gennemsnit — ikke et mål, men et sammenligningsgrundlag "
        "som i ministeriets benchmarking af jobcentre (\"forventet niveau\"). Faktisk minus forventet "
        "viser, om jobcentret bruger opkvalificering mere eller mindre, end dets vilkår lader forvente. "
        "**Rammevilkårene** er: andel forsikrede, andel ufaglærte, andel på 50 år og derover og andel "
        "langtidsledige blandt de ledige; fuldtidsledige i forhold til befolkningen; andelen af "
        "beskæftigelsen i brancher med mangel; befolkningen (som fordobling) og afstanden til nærmeste "
        "AMU-udbyder (tabellen conditions, se docs/DATA.md; uden den bruges kun andelen forsikrede). "
        "**Modellen.** For hvert år i perioden (regnet baglæns fra periodens sidste måned; en rest under "
        "6 måneder lægges til året efter) tilpasses en negativ binomial regression af ledige "
        "kursusdeltagelser pr. kommune på rammevilkårene med log(fuldtidsledige) som eksponering, over "
        "alle 98 kommuner. Eksponeringen gør, at store kommuner vejer efter deres antal ledige; den "
        "negative binomiale fordeling tillader, at kommuner spreder sig mere, end tilfældigheder alene "
        "giver (overdispersion). Der tilpasses på de diskretionerede tal: skjulte antal indgår ikke. "
        "**Uden kommunen selv.** En kommunes forventning kommer fra modellen tilpasset uden kommunen "
        "(leave-one-out; beregnet med den gængse et-trins-formel, der afviger under 1 % fra 98 egentlige "
        "gentilpasninger), så en kommune aldrig sammenlignes med sig selv. Årenes forventede antal "
        "lægges sammen og deles med periodens gennemsnitlige fuldtidsledige. **Usikkerhed.** Om hvert "
        "forventet antal lægges et 95 %-forudsigelsesinterval, der rummer både spredningen mellem "
        "kommuner og usikkerheden om modellens koefficienter (negativ binomial fordeling med samme "
        "middelværdi og varians). Kun når den faktiske brug ligger uden for intervallet, kaldes den over "
        "eller under det forventede; ellers er forskellen inden for, hvad tilfældigheder og modellens "
        "usikkerhed kan give. **Modellens kvalitet** vises som andelen af devians forklaret (1 − "
        "modellens devians ÷ devians uden rammevilkår) og overdispersionen. **Koefficienterne** vises "
        "på Data-siden og under ranglisten som: \"10 procentpoint flere ufaglærte blandt de ledige giver "
        "x % højere forventet brug\" med 95 %-interval; et rammevilkår hvis interval omfatter 0 %, har "
        "ingen tydelig sammenhæng. Sammenhængene er gennemsnit på tværs af kommuner, ikke årsager. "
        "**Mindst** 12 kommuner med ledige og viste tal og 10 deltagelser pr. parameter kræves; ellers "
        "vises ingen forventning. **Sammenlignelige kommuner** er de nærmeste målt på de samme "
        "rammevilkår (standardiseret) plus antallet af ledige. **Eksempel** (demodata ved denne "
        "version: seed 2018, 500.000 deltagelser, nov. 2025–okt. 2026): modellen forklarer 87 % af "
        "devians; 10 procentpoint flere ufaglærte blandt de ledige giver 28 % højere forventet brug "
        "(95 %-interval 22–34 %), 10 procentpoint flere på 50 år og derover 21 % lavere (17–25 %), 10 "
        "procentpoint flere langtidsledige 15 % lavere (10–19 %), 10 procentpoint mere beskæftigelse i "
        "mangelbrancher 36 % højere (31–42 %) og 10 km længere til en AMU-udbyder 18 % lavere "
        "(13–23 %); andel forsikrede, ledighedsniveau og befolkning har ingen tydelig sammenhæng. De "
        "forventede værdier spænder fra 27 til 223 pr. 1.000 fuldtidsledige. Data-siden viser tallene "
        "for de aktuelle data og filtre.",
        "**What the figure says.** Expected uptake is the uptake per 1,000 full-time unemployed that "
        "municipalities with the same framework conditions have on average — not a target, but a "
        "yardstick as in the ministry's benchmarking of job centres (\"forventet niveau\"). Actual "
        "minus expected shows whether a job centre uses upskilling more or less than its conditions "
        "lead one to expect. **The conditions** are: the insured, unskilled, aged-50-plus and long-term "
        "shares of the unemployed; full-time unemployed relative to population; the share of "
        "employment in shortage industries; population (as a doubling) and the distance to the nearest "
        "AMU provider (table conditions, see docs/DATA.md; without it only the insured share is used). "
        "**The model.** For each year of the period (counted back from its last month; a remainder "
        "under 6 months joins the year after) a negative binomial regression of unemployed course "
        "participations per municipality on the conditions, with log(full-time unemployed) as the "
        "exposure, is fitted across all 98 municipalities. The exposure makes large municipalities "
        "weigh by their number of unemployed; the negative binomial lets municipalities spread more "
        "than chance alone would (overdispersion). The fit uses the disclosure-controlled counts: "
        "hidden counts take no part. **Without the municipality itself.** A municipality's "
        "expectation comes from the model fitted without it (leave-one-out; computed with the "
        "standard one-step formula, within 1 % of 98 real refits), so it is never compared with "
        "itself. The years' expected counts are added up and divided by the period's average "
        "full-time unemployed. **Uncertainty.** Each expected count gets a 95 % prediction interval "
        "holding both the spread between municipalities and the uncertainty of the model's "
        "coefficients (a negative binomial with the same mean and variance). Only when actual uptake "
        "lies outside the interval is it called above or below expected; otherwise the gap is within "
        "what chance and the model's uncertainty can produce. **The model's quality** is shown as the "
        "share of deviance explained (1 − the model's deviance ÷ the deviance without conditions) "
        "and the overdispersion. **The coefficients** are shown on the Data page and below the "
        "ranking as \"10 percentage points more unskilled among the unemployed gives x % higher "
        "expected uptake\" with a 95 % interval; a condition whose interval includes 0 % has no clear "
        "association. The associations are averages across municipalities, not causes. **At least** "
        "12 municipalities with unemployed people and shown figures and 10 participations per "
        "parameter are needed; otherwise no expectation is shown. **Comparable municipalities** are "
        "the nearest on the same conditions (standardised) plus the number of unemployed. "
        "**Example** (demo data at this version: seed 2018, 500,000 participations, Nov 2025 – Oct "
        "2026): the model explains 87 % of the deviance; 10 percentage points more unskilled among "
        "the unemployed gives 28 % higher expected uptake (95 % interval 22–34 %), 10 points more "
        "aged 50 or more 21 % lower (17–25 %), 10 points more long-term unemployed 15 % lower "
        "(10–19 %), 10 points more employment in shortage industries 36 % higher (31–42 %) and 10 km "
        "further to an AMU provider 18 % lower (13–23 %); the insured share, the unemployment level "
        "and population show no clear association. Expected values range from 27 to 223 per 1,000 "
        "full-time unemployed. The Data page shows the figures for the current data and filters.",
    ),
    (
        "Omfattende mangel / Widespread shortage",
        "En stilling har omfattende mangel i et halvår, når den har status Mangel i mindst 4 af de "
        "7 RAR-områder uden Bornholm i både halvåret og det foregående halvår, og stillingen kræver "
        "en erhvervsfaglig eller videregående uddannelse. For beskæftigelsesrådenes 5 områder "
        "(efter reformen) kræves Mangel i mindst 3 af 5 områder (samme andel, ca. 57–60 %). Hvert "
        "halvår vurderes efter den inddeling, det er offentliggjort i. Den officielle betingelse om "
        "national ledighed højst 2,5 % indgår ikke, fordi ledighed pr. stilling ikke er i data.",
        "An occupation has widespread shortage in a half-year when it has status Mangel in at "
        "least 4 of the 7 RAR areas excluding Bornholm in both that half-year and the one before, "
        "and the occupation requires vocational or higher education. For the 5 employment-council "
        "areas (after the reform) Mangel is required in at least 3 of 5 areas (the same share, "
        "about 57–60 %). Each half-year is judged in the scheme it was published in. The official "
        "condition of national unemployment at most 2.5 % is left out: unemployment by occupation "
        "is not in the data.",
    ),
    (
        "Målopfyldelse / Target progress",
        "År-til-dato er værdien fra januar til seneste måned med data i målåret. Fremskrivningen til "
        "helår deler år-til-dato med den andel af helåret, som de samme måneder udgjorde i de "
        "foregående (op til 3) hele år for samme område og mål (uden sådanne år: forløbne måneder "
        "÷ 12); for andele er fremskrivningen år-til-dato-værdien. På vej mod målet: "
        "fremskrivningen er mindst målet.",
        "Year to date is the value from January to the latest month with data in the target year. "
        "The full-year projection divides the year-to-date value by the share of the full year "
        "that the same months made up in the previous (up to 3) complete years for the same area "
        "and target (without such years: months elapsed ÷ 12); for shares the projection is the "
        "year-to-date value. On track: the projection is at least the target.",
    ),
    (
        "Diskretionering / Disclosure control",
        "Alle antal personer og deltagelser er let sløret (cell-key-metoden, som i ABS' "
        "TableBuilder): hvert tal får et lille, fast tillæg mellem −3 og +3, "
        "der afhænger af netop de personer, tallet dækker, så samme tal altid vises ens på alle "
        "sider, i filer og billeder. Et sandt 0 forbliver 0, og et sandt tal fra 1 til 4 vises "
        "aldrig som sig selv. Viste tal fra 1 til 4 (tærsklen er en indstilling, standard 5) "
        "erstattes af '..'. Totaler sløres for sig, så summer kan afvige fra totalen. Andele og "
        "rater beregnes af de slørede tal og vises med den viste præcision; de er '..', når "
        "tælleren eller nævneren er det. Årselever følger det antal deltagelser, de bygger på. "
        "Antal ledige er offentlig statistik og sløres ikke; det gør antal kurser heller ikke. "
        "For et selvvalgt udsnit af flere områder, der ikke tilsammen er ét helt område, vises "
        "ingen persontal for udsnittet som helhed (hvert område for sig vises).",
        "Every count of persons and participations is slightly perturbed (the cell-key method, as "
        "in ABS TableBuilder): each figure gets a small, fixed "
        "change between −3 and +3 that depends on exactly the people it covers, so the same figure "
        "is the same on every page, file and image. A true 0 stays 0, and a true 1 to 4 is never "
        "shown as itself. Shown values from 1 to 4 (the threshold is a setting, default 5) are "
        "replaced by '..'. Totals are perturbed on their own, so parts need not add up to them. "
        "Shares and rates are computed from the perturbed counts and given at the precision "
        "shown; they are '..' when their numerator or denominator is. Årselever follow the count "
        "of participations behind them. Counts of unemployed are public statistics and not "
        "perturbed, nor are course counts. For a custom selection of several areas that is not "
        "one whole area, no person counts of the selection as a whole are shown (each area on its "
        "own is).",
    ),
)


def render_measures_markdown() -> str:
    """docs/MEASURES.md, generated from the catalogue (Danish and English for every measure)."""
    lines = [
        "# Measures (Mål)",
        "",
        "<!-- Generated from src/veu_metrics/measures.yaml by veu_metrics.catalogue."
        " Do not edit by hand: run `python -m veu_metrics.catalogue`. -->",
        "",
        "Every figure in the dashboard and its downloads is one of these measures, computed by the",
        "core (`src/veu_metrics/`) and disclosure-controlled before it is shown. Each measure's",
        "formula is part of its catalogue entry (the terms are explained at the head of",
        "`measures.yaml`): one generic computation reads it.",
        "",
        "| key | titel | title | unit |",
        "|---|---|---|---|",
    ]
    catalogue = load_catalogue()
    for m in catalogue.values():
        lines.append(f"| `{m.key}` | {m.title_da} | {m.title_en} | {m.unit} |")
    for m in catalogue.values():
        person = ("ja — diskretioneres / yes — disclosure-controlled" if m.is_person_count
                  else "nej / no")
        picker = (f"nr. {m.picker} / no. {m.picker}" if m.picker is not None
                  else "tilbydes ikke / not offered")
        lines += [
            "",
            f"## {m.title_da} / {m.title_en} (`{m.key}`)",
            "",
            f"**Definition (da):** {m.definition_da}",
            "",
            f"**Definition (en):** {m.definition_en}",
            "",
            f"- Enhed / unit: {m.unit_label('da')} / {m.unit_label('en')};"
            f" decimaler / decimals: {m.decimals}",
            f"- Tabel / table: `{m.table}`; periode efter / period by: kursets "
            f"{'start' if m.period_basis == 'start' else 'slut'}måned / the course's "
            f"{m.period_basis} month",
            f"- Område / area: {m.area_attribution_da} / {m.area_attribution_en}",
            f"- Kilde / source: {m.source_da} / {m.source_en}",
            f"- Formel / formula: `{m.formula.spec()}`",
            f"- Persontal / person count: {person}",
            f"- Målvælger / measure picker: {picker}",
        ]
    lines += ["", "## Afledte tal / Derived figures"]
    for title, text_da, text_en in DERIVED_NOTES:
        lines += ["", f"### {title}", "", f"**Dansk:** {text_da}", "", f"**English:** {text_en}"]
    return "\n".join(lines) + "\n"


MEASURES_MD = Path(__file__).resolve().parents[2] / "docs" / "MEASURES.md"


def main() -> int:
    MEASURES_MD.write_text(render_measures_markdown(), encoding="utf-8")
    print(f"wrote {MEASURES_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
