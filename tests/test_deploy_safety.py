"""Safe to deploy (issue 13): settings, who is an administrator, the audit log and pruning,
the escape helper, the CLI's versions --log / --pin and its refusal to print tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veu_metrics import access, audit
from veu_metrics.cli import main
from veu_metrics.ingest.publish import (
    PublishError,
    activate_version,
    active_version,
    import_upload,
    pin_version,
    version_ids,
)
from veu_metrics.ingest.readers import collect_files
from veu_metrics.safe_text import escape_markdown
from veu_metrics.settings import Settings, SettingsError, load_settings

GOOD = Path(__file__).parent / "fixtures" / "import" / "good"


def only(*names: str) -> list[tuple[str, bytes]]:
    return [(n, d) for n, d in collect_files([GOOD]) if n in names]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "dataset"
    report, version = import_upload(collect_files([GOOD]), root, Settings(), by="ops")
    assert version is not None, report.to_text()
    return root


# ----------------------------------------------------------------------------------- settings
def test_uploads_are_off_unless_a_deployment_enables_them():
    assert load_settings({}).uploads == "off"
    assert load_settings({"VEU_UPLOADS": "OIDC"}).uploads == "oidc"
    with pytest.raises(SettingsError, match="VEU_UPLOADS"):
        load_settings({"VEU_UPLOADS": "everyone"})


def test_admins_are_a_case_insensitive_list():
    settings = load_settings({"VEU_ADMINS": " Anna@Example.dk, bo@example.dk;;"})
    assert settings.admins == frozenset({"anna@example.dk", "bo@example.dk"})


@pytest.mark.parametrize(("name", "value", "message"), [
    ("VEU_KEEP_VERSIONS", "1", "at least 2"),
    ("VEU_ADMIN_HEADER", "X-Email: evil", "header name"),
])
def test_bad_settings_are_refused_with_the_variable_named(name, value, message):
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings({name: value})
    assert name in str(caught.value)


def test_an_upload_limit_above_the_servers_cap_is_refused():
    assert load_settings({"VEU_UPLOAD_LIMIT_MB": "200"}, upload_cap_mb=200).upload_limit_mb == 200
    with pytest.raises(SettingsError, match="server.maxUploadSize"):
        load_settings({"VEU_UPLOAD_LIMIT_MB": "500"}, upload_cap_mb=200)


# ------------------------------------------------------------------------------------ access
OIDC = Settings(uploads="oidc", admins=frozenset({"anna@example.dk"}))
HEADER = Settings(uploads="header", admins=frozenset({"anna@example.dk"}))


@pytest.mark.parametrize(("settings", "user", "headers", "expected"), [
    (OIDC, {"is_logged_in": True, "email": "Anna@example.dk"}, None, "Anna@example.dk"),
    (OIDC, {"is_logged_in": True, "email": "bo@example.dk"}, None, None),  # not on the list
    (OIDC, {"email": "anna@example.dk"}, None, None),  # a claim without a sign-in
    (OIDC, {"is_logged_in": "true", "email": "anna@example.dk"}, None, None),  # not the bool
    (OIDC, None, {"X-Forwarded-Email": "anna@example.dk"}, None),  # headers mean nothing here
    (HEADER, None, {"x-forwarded-email": "anna@example.dk"}, "anna@example.dk"),
    (HEADER, {"is_logged_in": True, "email": "anna@example.dk"}, {}, None),
    (Settings(admins=frozenset({"anna@example.dk"})),
     {"is_logged_in": True, "email": "anna@example.dk"},
     {"X-Forwarded-Email": "anna@example.dk"}, None),  # uploads off: nobody
])
def test_who_is_an_administrator(settings, user, headers, expected):
    assert access.administrator(settings, user=user, headers=headers) == expected


# ------------------------------------------------------------------------- audit and pruning
def test_every_publish_and_activation_is_logged_with_hashes(dataset):
    first = active_version(dataset)
    files = only("balance.csv")
    _, second = import_upload(files, dataset, Settings(), via="web", by="anna@example.dk")
    activate_version(dataset, first, by="ops")
    entries = audit.read(dataset)
    assert [(e.action, e.via, e.by, e.version) for e in entries] == [
        ("publish", "cli", "ops", first), ("publish", "web", "anna@example.dk", second),
        ("activate", "cli", "ops", first)]
    assert entries[1].files[0]["sha256"] == audit.file_hashes(files)[0]["sha256"]
    assert entries[1].summary["errors"] == 0 and entries[1].summary["rows"]["balance"] > 0
    # append-only: an earlier line is never rewritten
    text = (dataset / audit.AUDIT_FILE).read_text()
    assert text.count("\n") == 3 and json.loads(text.splitlines()[0])["version"] == first


def test_a_torn_last_line_is_skipped_not_fatal(dataset):
    with open(dataset / audit.AUDIT_FILE, "a") as handle:
        handle.write('{"at": "2026-11-29T10:00')
    assert len(audit.read(dataset)) == 1


def test_web_uploads_never_prune_the_last_cli_version(dataset):
    """Five anonymous uploads once pruned the original for good; now it stays."""
    original = active_version(dataset)
    settings = Settings(keep_versions=2)
    for _ in range(5):
        import_upload(only("balance.csv"), dataset, settings, via="web", by="anna@example.dk")
    assert original in version_ids(dataset)
    assert len(version_ids(dataset)) == 3  # the 2 newest and the protected CLI version


def test_a_pinned_version_is_kept_until_unpinned(dataset):
    settings = Settings(keep_versions=2)
    _, pinned = import_upload(only("balance.csv"), dataset, settings, via="web", by="a")
    pin_version(dataset, pinned, by="ops")
    for _ in range(3):
        import_upload(only("balance.csv"), dataset, settings, via="web", by="a")
    assert pinned in version_ids(dataset)
    pin_version(dataset, pinned, pinned=False, by="ops")
    import_upload(only("balance.csv"), dataset, settings, via="web", by="a")
    assert pinned not in version_ids(dataset)
    with pytest.raises(PublishError, match="does not exist"):
        pin_version(dataset, "no-such-version")


def test_cli_versions_log_pin_and_json(dataset, capsys):
    version = active_version(dataset)
    assert main(["versions", str(dataset), "--pin", version]) == 0
    capsys.readouterr()
    assert main(["versions", str(dataset), "--log"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "publish" in out[0] and version in out[0] and "by ops (cli)" in out[0]
    assert "pin" in out[1]
    assert main(["versions", str(dataset), "--log", "--json"]) == 0
    assert [e["action"] for e in json.loads(capsys.readouterr().out)] == ["publish", "pin"]
    assert main(["versions", str(dataset), "--pin", "nope"]) == 2


def test_cli_import_into_a_file_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "a-file"
    target.write_text("x")
    assert main(["import", str(GOOD), "--into", str(target)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_prints_one_line_for_a_polars_panic(monkeypatch, capsys):
    import polars as pl

    def panic(*_args, **_kwargs):
        raise pl.exceptions.PanicException("index out of bounds")

    monkeypatch.setattr("veu_metrics.ingest.publish.validate_upload", panic)
    assert main(["validate", str(GOOD)]) == 1
    err = capsys.readouterr().err
    assert "PanicException: index out of bounds" in err and "Traceback" not in err


# ---------------------------------------------------------------------------------- escaping
J = "\u2060"  # the word joiner that breaks GitHub's autolinks (invisible)


@pytest.mark.parametrize(("raw", "escaped"), [
    ("![x](http://evil.example/pixel.png)", rf"\!\[x\]\(http\:{J}//evil.example/pixel.png\)"),
    ("[Log ind her](http://evil.example/login)", rf"\[Log ind her\]\(http\:{J}//evil.example/login\)"),
    ("# Overskrift", r"\# Overskrift"),
    ("1. punkt", r"1\. punkt"),
    ("www.evil.example", f"w{J}ww.evil.example"),
    ("mail@evil.example", rf"mail\@{J}evil.example"),
    (":red[alarm] $x$", r"\:red\[alarm\] \$x\$"),
    ("two\nlines", "two lines"),
    ("2099-01", "2099-01"),
    ("Kursus <b>", r"Kursus \<b\>"),
])
def test_escape_markdown(raw, escaped):
    assert escape_markdown(raw) == escaped


def test_escape_markdown_caps_length():
    assert len(escape_markdown("a" * 5000)) == 200


def test_validating_enrolments_alone_says_the_courses_were_not_checked(capsys):
    assert main(["validate", str(GOOD / "enrolments.csv")]) == 0
    out = capsys.readouterr().out
    assert "links_unchecked" in out or "could not be checked" in out
    assert main(["validate", str(GOOD / "enrolments.csv"), str(GOOD / "courses.csv")]) == 0
    assert "could not be checked" not in capsys.readouterr().out
