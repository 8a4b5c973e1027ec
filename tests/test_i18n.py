import re
from pathlib import Path

import pytest

from veu_metrics import i18n

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"


def test_every_text_has_danish_and_english_and_nothing_else():
    i18n.texts.cache_clear()
    for key, entry in i18n.texts().items():
        assert set(entry) == {"da", "en"}, key
        assert entry["da"].strip() and entry["en"].strip(), key


def test_every_literal_key_used_by_the_app_exists():
    """t("some.key", …) in the dashboard must name a text in texts.yaml."""
    used = set()
    for file in DASHBOARD.rglob("*.py"):
        used |= set(re.findall(r'\bt\(\s*"([a-z0-9_.]+)"', file.read_text(encoding="utf-8")))
    missing = sorted(used - set(i18n.texts()))
    assert not missing, f"texts.yaml lacks {missing}"


def test_placeholders_are_filled():
    assert i18n.t("kpi.national", "da", value="12.345") == "Hele landet: 12.345"
    assert i18n.t("kpi.national", "en", value="12,345") == "Whole country: 12,345"


def test_unknown_key_is_an_error():
    with pytest.raises(KeyError, match="no UI text"):
        i18n.t("does.not.exist")


def test_comma_split_entry_is_refused():
    import yaml

    bad = yaml.safe_load("x: {da: Brug pr. 1.000, en: Uptake per 1,000}")
    with pytest.raises(ValueError, match="'x' has unexpected keys.*quote texts"):
        i18n.check_texts(bad)


def test_missing_language_is_refused():
    with pytest.raises(ValueError, match="'y' lacks en"):
        i18n.check_texts({"y": {"da": "Hej"}})
