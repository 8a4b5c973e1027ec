"""The demo data generator: valid, deterministic, and realistic in the ways the app relies on."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from veu_metrics import schema
from veu_metrics.cli import main as cli_main
from veu_metrics.dataset import open_dataset
from veu_metrics.generate import GenerateError, generate_dataset, load_population, parse_until
from veu_metrics.geography import area_lookup, municipalities
from veu_metrics.occupations import occupations

COVERS_TO = date(2026, 10, 31)
REFORM = date(2025, 1, 1)
SMALL_ISLANDS = (825, 563, 741, 492)  # Læsø, Fanø, Samsø, Ærø
SHORTAGE_PRONE = ("532110", "532120", "741110", "741310", "721210", "721410", "833210", "833110",
                  "251210", "252910")


@pytest.fixture(scope="module")
def tables(demo_dataset) -> dict[str, pl.DataFrame]:
    return {name: frame.collect() for name, frame in demo_dataset.tables.items()}


@pytest.fixture(scope="module")
def joined(tables) -> pl.DataFrame:
    """Enrolments with their course's columns (prefixed c_) and the residence's RAR area."""
    courses = tables["courses"].rename(lambda c: c if c == "course_id" else f"c_{c}")
    rar = area_lookup("rar").rename({"area_code": "home_rar"})
    return tables["enrolments"].join(courses, on="course_id", how="left").join(
        rar, on="municipality_code", how="left")


@pytest.fixture(scope="module")
def dense(tmp_path_factory) -> dict[str, pl.DataFrame]:
    """More enrolments over a short period, so yearly counts per RAR area are large."""
    out = generate_dataset(tmp_path_factory.mktemp("dense") / "d", enrolments=200_000, seed=11,
                           until=date(2021, 12, 1))
    return {name: frame.collect() for name, frame in open_dataset(out).tables.items()}


def _hashes(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _corr(x: pl.Series, y: pl.Series) -> float:
    return pl.DataFrame({"x": x, "y": y}).select(pl.corr("x", "y")).item()


# ---------------------------------------------------------------- arguments and output files


@pytest.mark.parametrize(("value", "today", "expected"), [
    ("2026-10", None, date(2026, 10, 1)),
    ("2026-10-17", None, date(2026, 10, 1)),
    (" 2019-02 ", None, date(2019, 2, 1)),
    (None, date(2026, 11, 29), date(2026, 10, 1)),
    (None, date(2027, 1, 3), date(2026, 12, 1)),
    ("", date(2026, 3, 1), date(2026, 2, 1)),
])
def test_parse_until(value, today, expected):
    assert parse_until(value, today=today) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("oktober", "expected a month as YYYY-MM"),
    ("2026-13", "expected a month as YYYY-MM"),
    ("2017-12", "start in 2018-01"),
])
def test_parse_until_rejects_bad_months(value, message):
    with pytest.raises(GenerateError, match=message):
        parse_until(value)


def test_metadata(demo_dataset_dir):
    meta = json.loads((demo_dataset_dir / "metadata.json").read_text(encoding="utf-8"))
    assert meta == {
        "name": "Demodata (syntetisk)",
        "source": "Syntetiske data genereret af veu-metrics — ikke rigtige tal",
        "covers_from": "2018-01-01",
        "covers_to": "2026-10-31",
        "created_at": "2026-11-05T06:00:00",
        "next_update": "2026-12-05",
        "version": "demo-seed2018",
        "synthetic": True,
    }


def test_output_opens_with_the_model(demo_dataset, demo_dataset_dir):
    assert set(demo_dataset.tables) == set(schema.TABLES)
    assert demo_dataset.synthetic
    assert (demo_dataset_dir / "courses.parquet").is_file()
    assert [p.name for p in (demo_dataset_dir / "enrolments").iterdir()] == ["part-00000.parquet"]


def test_no_nulls_where_the_model_forbids_them(tables):
    for table, frame in tables.items():
        for column in frame.columns:
            if column not in schema.NULLABLE[table]:
                assert frame[column].null_count() == 0, f"{table}.{column} has nulls"


def test_primary_keys_are_unique(tables):
    for table, frame in tables.items():
        keys = list(schema.PRIMARY_KEYS[table])
        assert frame.select(keys).is_duplicated().sum() == 0, table


def test_exact_enrolment_count_and_course_ratio(tables):
    enrolments, courses = tables["enrolments"], tables["courses"]
    assert enrolments.height == 40_000
    assert sorted(enrolments["enrolment_id"].to_list()) == list(range(1, 40_001))
    assert 40_000 / 11 < courses.height < 40_000 / 7


def test_enrolments_reference_running_courses(tables):
    enrolments, courses = tables["enrolments"], tables["courses"]
    assert enrolments.join(courses, on="course_id", how="anti").height == 0
    cancelled = courses.filter(pl.col("cancelled"))["course_id"]
    assert enrolments.filter(pl.col("course_id").is_in(cancelled.implode())).height == 0


def test_course_dates(tables):
    courses = tables["courses"]
    assert courses.filter(pl.col("end_date") < pl.col("start_date")).height == 0
    assert courses["start_date"].min() >= date(2018, 1, 1)
    assert courses["start_date"].max() <= COVERS_TO
    assert courses["start_date"].dt.weekday().max() <= 5  # courses start on weekdays


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    kwargs = {"enrolments": 3_000, "until": date(2024, 6, 1)}
    a = generate_dataset(tmp_path / "a", seed=5, **kwargs)
    b = generate_dataset(tmp_path / "b", seed=5, **kwargs)
    c = generate_dataset(tmp_path / "c", seed=6, **kwargs)
    assert _hashes(a) == _hashes(b)
    assert len(_hashes(a)) == 8  # the 6 tables, metadata.json and occupations.parquet
    ha, hc = _hashes(a), _hashes(c)
    for name in ("courses.parquet", "enrolments/part-00000.parquet", "balance.parquet",
                 "unemployment.parquet", "targets.parquet", "conditions.parquet", "metadata.json"):
        assert ha[name] != hc[name], name


def test_chunks_become_parts_with_contiguous_ids(tmp_path):
    out = generate_dataset(tmp_path / "d", enrolments=5_000, seed=3, until=date(2022, 12, 1),
                           chunk_enrolments=1_200)
    parts = sorted(p.name for p in (out / "enrolments").iterdir())
    assert parts == [f"part-{k:05d}.parquet" for k in range(len(parts))]
    assert len(parts) >= 4
    enrolments = open_dataset(out).enrolments.collect()
    assert enrolments.height == 5_000
    assert enrolments["enrolment_id"].sort().to_list() == list(range(1, 5_001))
    # no course is split across parts
    per_part = [pl.read_parquet(out / "enrolments" / p)["course_id"].unique() for p in parts]
    assert sum(s.len() for s in per_part) == enrolments["course_id"].n_unique()


def test_progress_callback_reports_fractions_up_to_one(tmp_path):
    calls: list[tuple[float, str]] = []
    generate_dataset(tmp_path / "d", enrolments=2_000, seed=1, until=date(2020, 6, 1),
                     progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in calls)


def test_progress_bar_writes_to_stderr(tmp_path, capsys):
    generate_dataset(tmp_path / "d", enrolments=1_000, seed=1, until=date(2019, 6, 1), progress="bar")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "100%" in captured.err


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(GenerateError, match="at least 1"):
        generate_dataset(tmp_path / "d", enrolments=0)
    with pytest.raises(GenerateError, match="progress must be"):
        generate_dataset(tmp_path / "d", enrolments=10, progress="spinner")


def test_refuses_to_overwrite_a_folder_that_is_not_a_dataset(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "notes.txt").write_text("keep me")
    with pytest.raises(GenerateError, match="refusing to overwrite"):
        generate_dataset(tmp_path / "d", enrolments=100, until=date(2019, 1, 1))
    assert (tmp_path / "d" / "notes.txt").read_text() == "keep me"


def test_replaces_an_existing_dataset(tmp_path):
    generate_dataset(tmp_path / "d", enrolments=3_000, seed=1, until=date(2020, 1, 1),
                     chunk_enrolments=1_000)
    generate_dataset(tmp_path / "d", enrolments=500, seed=2, until=date(2019, 1, 1))
    ds = open_dataset(tmp_path / "d")
    assert ds.enrolments.select(pl.len()).collect().item() == 500  # no stale parts left
    assert ds.metadata["version"] == "demo-seed2"


def test_no_staging_folder_is_left_behind(tmp_path):
    generate_dataset(tmp_path / "d", enrolments=500, seed=1, until=date(2019, 1, 1))
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_a_failed_run_leaves_the_old_dataset_untouched(tmp_path):
    generate_dataset(tmp_path / "d", enrolments=500, seed=1, until=date(2019, 1, 1))
    before = _hashes(tmp_path / "d")

    def interrupt(fraction: float, message: str) -> None:
        if fraction > 0.1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tmp_path / "d", enrolments=900, seed=2, until=date(2019, 6, 1),
                         progress=interrupt)
    assert _hashes(tmp_path / "d") == before
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_cli_generate(tmp_path, capsys):
    code = cli_main(["generate", "--enrolments", "1500", "--seed", "4", "--out", str(tmp_path / "d"),
                     "--until", "2020-12", "--quiet"])
    assert code == 0
    ds = open_dataset(tmp_path / "d")
    assert ds.covers_to == date(2020, 12, 31)
    assert ds.enrolments.select(pl.len()).collect().item() == 1500
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- realism: time


def _by_month(joined: pl.DataFrame) -> pl.DataFrame:
    return joined.group_by(pl.col("c_start_date").dt.truncate("1mo").alias("month")).len()


def test_summer_and_christmas_dips(joined):
    monthly = (_by_month(joined).filter(pl.col("month").dt.year() != 2020)
               .group_by(pl.col("month").dt.month().alias("m")).agg(pl.col("len").mean()))
    level = dict(monthly.iter_rows())
    ordinary = [level[m] for m in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11)]
    assert level[7] < 0.5 * sum(ordinary) / len(ordinary)
    assert level[12] < 0.75 * level[11]


def test_covid_dip_then_upskilling_surge(dense):
    joined = dense["enrolments"].join(dense["courses"], on="course_id")
    monthly = dict(_by_month(joined.rename({"start_date": "c_start_date"})).iter_rows())
    spring = [(date(y, m, 1)) for y in (2019, 2020) for m in (3, 4, 5)]
    assert sum(monthly[d] for d in spring[3:]) < 0.6 * sum(monthly[d] for d in spring[:3])
    for m in (3, 4, 5):
        assert monthly[date(2020, m, 1)] < monthly[date(2019, m, 1)]
    surge = [v for d, v in monthly.items() if date(2020, 8, 1) <= d <= date(2021, 12, 1)]
    normal = [v for d, v in monthly.items() if d.year == 2019]
    assert sum(surge) / len(surge) > 1.1 * sum(normal) / len(normal)


def test_covid_funding_mainly_2020_to_2023(tables):
    covid = tables["courses"].filter(pl.col("funding") == "COVID-19 opkvalificering")
    assert covid.height > 50
    assert covid["start_date"].min() >= date(2020, 6, 1)
    assert covid["start_date"].max() <= date(2023, 12, 31)
    early = covid.filter(pl.col("start_date") <= date(2021, 12, 31)).height
    assert early > 0.6 * covid.height


def test_job_veu_share_rises(tables):
    share = dict(tables["courses"].filter(~pl.col("cancelled"))
                 .group_by(pl.col("start_date").dt.year()).agg(pl.col("job_veu").mean()).iter_rows())
    assert share[2018] < 0.06
    assert share[2019] < share[2020] < share[2021]
    assert all(share[y] > 0.17 for y in range(2021, 2027))


def test_job_veu_activity_rises_in_every_rar_area_2019_to_2020(dense):
    rar = area_lookup("rar").rename({"municipality_code": "provider_municipality_code"})
    started = (dense["courses"].filter(pl.col("job_veu") & ~pl.col("cancelled"))
               .join(rar, on="provider_municipality_code")
               .group_by("area_code", pl.col("start_date").dt.year().alias("year")).len())
    got = {(a, y): n for a, y, n in started.iter_rows()}
    for area in area_lookup("rar")["area_code"].unique():
        assert got.get((area, 2020), 0) > got.get((area, 2019), 0) > 0, area
    participations = (dense["enrolments"].join(dense["courses"], on="course_id")
                      .filter(pl.col("job_veu"))
                      .group_by(pl.col("start_date").dt.year().alias("year")).len())
    national = dict(participations.iter_rows())
    assert national[2020] > 1.5 * national[2019]


# ---------------------------------------------------------------- realism: geography


def test_volume_follows_population_with_more_amu_west(joined):
    residents = municipalities().join(load_population(), on="municipality_code")
    counts = residents.join(joined.group_by("municipality_code").len(), on="municipality_code",
                            how="left").with_columns(pl.col("len").fill_null(0))
    assert _corr(counts["len"].cast(pl.Float64), counts["population_approx"].cast(pl.Float64)) > 0.9
    amu = residents.join(joined.filter(pl.col("c_education_type") == "AMU")
                         .group_by("municipality_code").len(), on="municipality_code", how="left")
    per_resident = amu.group_by("west_of_storebaelt").agg(
        (pl.col("len").sum() / pl.col("population_approx").sum()).alias("rate"))
    rate = dict(per_resident.iter_rows())
    assert rate[True] > 1.3 * rate[False]


def test_small_islands_have_small_counts(joined):
    for code in SMALL_ISLANDS:
        mine = joined.filter(pl.col("municipality_code") == code)
        assert 0 < mine.height < 0.002 * joined.height, code
        monthly = _by_month(mine)["len"]
        assert monthly.is_between(1, 4).any(), code  # disclosure control will matter


def test_participants_mostly_live_in_the_course_area(joined):
    rar = area_lookup("rar").rename({"municipality_code": "c_provider_municipality_code",
                                     "area_code": "course_rar"})
    same = joined.join(rar, on="c_provider_municipality_code").select(
        (pl.col("home_rar") == pl.col("course_rar")).mean()).item()
    assert same > 0.85


def test_providers_are_named_institutions_in_every_area(tables):
    names = set(tables["courses"]["provider"])
    for expected in ("AMU Nordjylland", "EUC Syd", "Mercantec", "TEC", "SOSU Østjylland"):
        assert expected in names
    rar = area_lookup("rar").rename({"municipality_code": "provider_municipality_code"})
    per_area = dict(tables["courses"].join(rar, on="provider_municipality_code")
                    .group_by("area_code").agg(pl.col("provider").n_unique()).iter_rows())
    assert per_area.pop("bornholm") == 1
    assert min(per_area.values()) >= 4


# ---------------------------------------------------------------- realism: courses


def test_course_titles_and_amu_numbers(tables):
    courses = tables["courses"]
    titles = set(courses["title"])
    assert "AMU: Svejsning af stumpsømme" in titles
    assert "Truckcertifikat B" in titles
    amu = courses.filter(pl.col("education_type") == "AMU")
    assert amu["amu_number"].str.contains(r"^\d{5}$").all()
    assert courses.filter(pl.col("education_type") != "AMU")["amu_number"].null_count() == (
        courses.height - amu.height)
    # one AMU course, one number
    assert amu.group_by("title").agg(pl.col("amu_number").n_unique())["amu_number"].max() == 1


def test_course_days_seats_and_cancellations(tables):
    courses = tables["courses"]
    days = courses["course_days"]
    assert days.is_between(1, 30).mean() > 0.8
    median = dict(courses.group_by("education_type").agg(pl.col("course_days").median()).iter_rows())
    assert median["AMU"] <= 5
    assert median["EUV"] >= 40
    assert courses["seats"].min() >= 8 and courses["seats"].max() <= 24
    assert 0.04 <= courses["cancelled"].mean() <= 0.09


def test_occupation_drives_group_themes_and_focus_area(tables):
    courses = tables["courses"]
    assert courses["occupation_code"].is_not_null().mean() > 0.9
    occ = occupations().select("occupation_code", pl.col("industry_group").alias("g"),
                               pl.col("themes").alias("t"))
    with_occ = courses.join(occ, on="occupation_code")
    assert with_occ.height == courses["occupation_code"].is_not_null().sum()
    assert (with_occ["industry_group"] == with_occ["g"]).all()
    assert (with_occ["themes"] == with_occ["t"]).all()
    focus = {"Sundhed, omsorg og pleje": "Sundhed og omsorg", "Bygge og anlæg": "Bygge og anlæg",
             "IT og telekommunikation": "Digitalisering og IT",
             "Transport og logistik": "Transport og logistik"}
    for group, area in focus.items():
        assert set(with_occ.filter(pl.col("g") == group)["focus_area"].cast(pl.String)) == {area}
    no_occ = courses.filter(pl.col("occupation_code").is_null())
    assert no_occ["industry_group"].null_count() == no_occ.height
    assert no_occ["focus_area"].null_count() == no_occ.height


# ---------------------------------------------------------------- realism: participants


def test_labour_status_follows_funding(joined):
    for_unemployed = ("Regional uddannelsespulje", "6 ugers jobrettet uddannelse", "Uddannelsesløft")
    rows = joined.filter(pl.col("c_funding").is_in(for_unemployed))
    assert rows.height > 1000
    assert rows["labour_status"].is_in(list(schema.UNEMPLOYED_STATUSES)).all()
    six_weeks = joined.filter(pl.col("c_funding") == "6 ugers jobrettet uddannelse")
    assert (six_weeks["labour_status"] == "Forsikret ledig").all()
    amu = joined.filter(pl.col("c_education_type") == "AMU")
    assert (amu["labour_status"] == "Beskæftiget").mean() > 0.6
    lift = joined.filter(pl.col("c_funding") == "Uddannelsesløft")
    assert lift.height > 0
    assert lift["c_start_date"].min() >= date(2020, 8, 1)
    assert not lift["age_band"].is_in(["16-24", "25-29"]).any()


def test_persons_recur_but_never_twice_in_a_course(tables):
    enrolments = tables["enrolments"]
    repeated = enrolments.select(pl.col("person_id").is_duplicated().mean()).item()
    assert 0.2 <= repeated <= 0.45
    assert enrolments.select("person_id", "course_id").is_duplicated().sum() == 0


def test_gender_by_occupation(joined):
    women = dict(joined.group_by("c_industry_group").agg(
        (pl.col("gender") == "Kvinde").mean()).iter_rows())
    assert women["Sundhed, omsorg og pleje"] > 0.75
    assert women["Bygge og anlæg"] < 0.15
    assert women["Jern, metal og auto"] < 0.15
    sosu = joined.filter(pl.col("c_occupation_code").is_in(["532110", "532120"]))
    assert (sosu["gender"] == "Kvinde").mean() > 0.75


def test_education_level_by_course_type(joined):
    level = joined.group_by("c_education_type").agg(
        (pl.col("education_level") == "MVU/LVU").mean().alias("higher"),
        (pl.col("education_level") == "Ufaglært").mean().alias("unskilled"))
    by_type = {t: (h, u) for t, h, u in level.iter_rows()}
    assert by_type["Diplom"][0] > 0.5
    assert by_type["FVU/OBU"][1] > 0.6
    assert by_type["AMU"][0] < 0.1


def test_completion_rate_and_null_while_running(joined):
    known = joined.filter(pl.col("completed").is_not_null())
    assert 0.85 <= known["completed"].mean() <= 0.92
    running = joined.filter(pl.col("c_end_date") > COVERS_TO)
    assert running.height > 0
    assert running["completed"].null_count() == running.height
    assert known["c_end_date"].max() <= COVERS_TO


@pytest.mark.parametrize(("column", "months"), [("employed_3m", "3mo"), ("employed_6m", "6mo")])
def test_employment_outcome_only_for_unemployed_when_known(joined, column, months):
    employed = joined.filter(pl.col("labour_status") == "Beskæftiget")
    assert employed[column].null_count() == employed.height
    unemployed = joined.filter(pl.col("labour_status") != "Beskæftiget").with_columns(
        (pl.col("c_end_date").dt.offset_by(months) <= COVERS_TO).alias("known"))
    assert unemployed.height > 1000
    assert (unemployed[column].is_not_null() == unemployed["known"]).all()
    assert unemployed["known"].any() and not unemployed["known"].all()


def test_employment_is_higher_after_courses_in_shortage_occupations(joined, tables):
    lookup = municipalities().select(
        pl.col("municipality_code").alias("c_provider_municipality_code"),
        pl.col("rar_code").cast(pl.String).alias("rar"),
        pl.col("council_code").cast(pl.String).alias("council"))
    balance = tables["balance"].with_columns(pl.col("area_scheme").cast(pl.String))
    outcomes = (
        joined.filter(pl.col("employed_3m").is_not_null())
        .join(lookup, on="c_provider_municipality_code")
        .with_columns(
            (pl.col("c_start_date").dt.year().cast(pl.String) + "H"
             + pl.when(pl.col("c_start_date").dt.month() <= 6).then(pl.lit("1"))
             .otherwise(pl.lit("2"))).alias("half_year"),
            pl.when(pl.col("c_start_date") >= REFORM).then(pl.lit("council"))
            .otherwise(pl.lit("rar")).alias("area_scheme"))
        .with_columns(pl.when(pl.col("area_scheme") == "council").then("council")
                      .otherwise("rar").alias("area_code"))
        .join(balance, left_on=["half_year", "area_scheme", "area_code", "c_occupation_code"],
              right_on=["half_year", "area_scheme", "area_code", "occupation_code"], how="left")
        .with_columns(pl.col("status").is_in(list(schema.SHORTAGE_STATUSES)).fill_null(False)
                      .alias("shortage"))
    )
    rate = dict(outcomes.group_by("shortage").agg(pl.col("employed_3m").mean()).iter_rows())
    assert rate[True] > rate[False] + 0.08


# ---------------------------------------------------------------- realism: balance, unemployment


def test_balance_covers_every_occupation_area_and_half_year(tables, demo_dataset):
    balance = tables["balance"]
    n_occ = demo_dataset.occupations.height
    grid = balance.group_by("half_year", "area_scheme").agg(
        pl.len(), pl.col("area_code").n_unique().alias("areas"), pl.col("occupation_code").n_unique())
    expected_halves = [f"{y}H{h}" for y in range(2018, 2027) for h in (1, 2)]
    assert sorted(grid["half_year"]) == expected_halves
    for half, scheme, rows, areas, occs in grid.iter_rows():
        year, h = int(half[:4]), int(half[-1])
        expected_scheme = "council" if date(year, 1 if h == 1 else 7, 1) >= REFORM else "rar"
        assert scheme == expected_scheme, half
        assert areas == (5 if scheme == "council" else 8)
        assert occs == n_occ and rows == areas * n_occ


def test_demo_balance_has_about_900_titles_the_reference_kept(tables, demo_dataset):
    listed = demo_dataset.occupations
    in_balance = tables["balance"]["occupation_code"].unique()
    assert 850 <= in_balance.len() <= 950
    assert set(in_balance) == set(listed["occupation_code"])
    assert set(occupations()["occupation_code"]) <= set(in_balance)  # the 87 reference titles
    assert listed["title_da"].n_unique() == listed.height  # a title names one code
    assert listed["industry_group"].null_count() == 0 and listed["title_en"].null_count() == 0
    own = pl.read_parquet(demo_dataset.path / "occupations.parquet")
    assert own["occupation_code"].str.contains(r"^\d{6}$").all()  # codes as 6-digit strings
    assert own["occupation_code"].str.starts_with("0").any()  # with leading zeros kept
    assert not set(own["occupation_code"]) & set(occupations()["occupation_code"])
    # every RAR area has a status for every title in a half-year before the reform
    rar = tables["balance"].filter(pl.col("half_year") == "2024H1")
    assert rar["area_code"].n_unique() == 8
    assert rar.group_by("area_code").agg(pl.col("occupation_code").n_unique())[
        "occupation_code"].to_list() == [in_balance.len()] * 8
    # courses stay on the reference titles
    assert set(tables["courses"]["occupation_code"].drop_nulls()) <= set(
        occupations()["occupation_code"])


def test_balance_statuses_persist(tables):
    balance = tables["balance"].sort("half_year").with_columns(
        pl.col("status").shift(1).over("area_scheme", "area_code", "occupation_code").alias("before"))
    pairs = balance.filter(pl.col("before").is_not_null())
    assert pairs.height > 5000
    assert (pairs["status"] == pairs["before"]).mean() > 0.8


def test_shortage_is_common_for_care_trades_drivers_and_it(tables):
    balance = tables["balance"].with_columns(
        pl.col("status").is_in(list(schema.SHORTAGE_STATUSES)).alias("shortage"),
        pl.col("occupation_code").is_in(list(SHORTAGE_PRONE)).alias("prone"))
    share = dict(balance.group_by("prone").agg(pl.col("shortage").mean()).iter_rows())
    assert share[True] > 0.5
    assert share[True] > 2 * share[False]


def test_unemployment_follows_population_with_covid_peak(tables):
    unemployment = tables["unemployment"]
    assert unemployment.height == 106 * 98  # Jan 2018 – Oct 2026
    assert (unemployment["full_time_unemployed"] >= 0).all()
    per_place = unemployment.group_by("municipality_code").agg(pl.col("full_time_unemployed").mean())
    with_pop = per_place.join(load_population(), on="municipality_code")
    assert _corr(with_pop["full_time_unemployed"], with_pop["population_approx"].cast(pl.Float64)) > 0.95
    national = unemployment.group_by("month").agg(pl.col("full_time_unemployed", "insured_unemployed").sum())
    level = {m: v for m, v, _ in national.iter_rows()}
    early = {m: v for m, v in level.items() if m.year <= 2021}
    assert max(early, key=early.get) in (date(2020, 4, 1), date(2020, 5, 1))
    assert level[date(2020, 4, 1)] > 1.3 * level[date(2019, 4, 1)]
    share = national["insured_unemployed"].sum() / national["full_time_unemployed"].sum()
    assert 0.6 <= share <= 0.7
    sizeable = unemployment.filter(pl.col("full_time_unemployed") >= 50)
    ratio = sizeable["insured_unemployed"] / sizeable["full_time_unemployed"]
    assert ratio.min() >= 0.55 and ratio.max() <= 0.75


# ---------------------------------------------------------------- realism: targets


def test_targets_cover_each_year_area_and_measure(tables):
    targets = tables["targets"]
    assert sorted(targets["year"].unique()) == list(range(2019, 2027))
    assert set(targets["measure"]) == {"participations", "courses_started", "job_veu_courses",
                                       "aarselever"}
    assert (targets["target"] > 0).all()
    for year in range(2019, 2027):
        scheme = "council" if date(year, 1, 1) >= REFORM else "rar"
        mine = targets.filter(pl.col("year") == year)
        assert set(mine["area_scheme"].cast(pl.String)) == {scheme}
        assert mine["area_code"].n_unique() == (5 if scheme == "council" else 8)
        for area in mine["area_code"].unique():
            rows = mine.filter(pl.col("area_code") == area)
            overall = rows.filter(pl.col("focus_area").is_null())
            assert sorted(overall["measure"]) == sorted(["participations", "courses_started",
                                                         "job_veu_courses", "aarselever"])
            focus = rows.filter(pl.col("focus_area").is_not_null())
            assert 3 <= focus.height <= 4
            assert set(focus["measure"]) == {"participations"}


def test_some_targets_are_met_and_some_are_behind(joined, tables):
    rar = area_lookup("rar").rename({"municipality_code": "c_provider_municipality_code"})
    actual = (joined.join(rar, on="c_provider_municipality_code")
              .group_by(pl.col("c_start_date").dt.year().cast(pl.Int16).alias("year"), "area_code")
              .agg(pl.len().alias("actual")))
    goals = tables["targets"].filter((pl.col("measure") == "participations")
                                     & pl.col("focus_area").is_null() & (pl.col("year") <= 2024))
    compared = goals.join(actual, on=["year", "area_code"], how="left").with_columns(
        pl.col("actual").fill_null(0))
    assert compared.height == 6 * 8
    met = (compared["actual"] >= compared["target"]).mean()
    assert 0.1 <= met <= 0.9
