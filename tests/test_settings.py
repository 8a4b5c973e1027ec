"""Settings: every variable is documented in the README, and every bad value is refused by name."""

import re
from pathlib import Path

import pytest

from veu_metrics import settings as settings_module
from veu_metrics.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "veu_metrics"

# Free text or paths: any value is accepted (a path that cannot be used is reported where it is
# opened, e.g. the boundaries fall back to centroid maps with a notice).
FREE_TEXT = {"VEU_DATA_DIR", "VEU_BOUNDARIES", "VEU_BASEMAP", "VEU_ADMINS"}


class _Recording(dict):
    """An environment that remembers which variables were asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def _read_by_load_settings() -> set[str]:
    env = _Recording()
    load_settings(env)
    return env.asked


def _readme_configuration_table() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(VEU_[A-Z_]+)` \|", section, flags=re.MULTILINE))


def test_every_setting_is_in_the_readmes_configuration_table():
    read = _read_by_load_settings()
    named_in_settings = set(re.findall(r"\bVEU_[A-Z_]+\b", Path(settings_module.__file__).read_text()))
    assert len(read) >= 12  # the recording environment sees every variable load_settings reads
    assert read <= named_in_settings
    missing = named_in_settings - _readme_configuration_table()
    assert not missing, f"settings not in the README's configuration table: {sorted(missing)}"


def test_every_variable_in_the_readmes_table_is_read_by_the_app():
    source = "\n".join(p.read_text(encoding="utf-8") for p in SOURCE.glob("*.py"))
    unread = {name for name in _readme_configuration_table() if f'"{name}"' not in source}
    assert not unread, f"documented but never read: {sorted(unread)}"


BAD_VALUES = [
    ("VEU_REFORM_DATE", "2025-13-01", "YYYY-MM-DD"),
    ("VEU_REFORM_DATE", "1 January 2025", "YYYY-MM-DD"),
    ("VEU_DISCLOSURE_THRESHOLD", "0", "at least 1"),
    ("VEU_DISCLOSURE_THRESHOLD", "five", "whole number"),
    ("VEU_DISCLOSURE_THRESHOLD", "2.5", "whole number"),
    ("VEU_ALLOW_PERSON_DOWNLOAD", "maybe", "true or false"),
    ("VEU_KEEP_VERSIONS", "1", "at least 2"),
    ("VEU_KEEP_VERSIONS", "many", "whole number"),
    ("VEU_UPLOAD_LIMIT_MB", "0", "at least 1"),
    ("VEU_UPLOAD_LIMIT_MB", "200MB", "whole number"),
    ("VEU_DEMO_ENROLMENTS", "999", "at least 1000"),
    ("VEU_DEMO_ENROLMENTS", "4e6", "whole number"),
    ("VEU_UPLOADS", "everyone", "one of off, oidc, header"),
    ("VEU_ADMIN_HEADER", "X Forwarded Email", "header name"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_a_bad_value_is_refused_naming_the_variable(name, value, message):
    with pytest.raises(SettingsError, match=re.escape(message)) as caught:
        load_settings({name: value})
    assert str(caught.value).startswith(f"{name}=")
    assert repr(value) in str(caught.value)


def test_every_checked_setting_has_a_bad_value_case():
    checked = _read_by_load_settings() - FREE_TEXT
    assert checked <= {name for name, _, _ in BAD_VALUES}


@pytest.mark.parametrize("name", sorted(set(n for n, _, _ in BAD_VALUES)))
def test_an_empty_value_means_the_default(name):
    assert load_settings({name: "  "}) == load_settings({})
