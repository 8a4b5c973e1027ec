"""Deployment settings, read from environment variables (one place, documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DEMO_DIR = PROJECT_ROOT / "data" / "demo"
DEFAULT_BOUNDARIES = Path(__file__).resolve().parent / "reference" / "boundaries" / "kommuner.geojson"
"""The project's own simplified DAGI municipalities (CC BY 4.0; see SOURCE.md beside the file)."""


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


def _env_bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "ja", "on"}:
        return True
    if value in {"0", "false", "no", "nej", "off"}:
        return False
    raise SettingsError(f"{name}={raw!r}: expected true or false")


def _env_int(env: dict[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r}: must be at least {minimum}")
    return value


def _env_date(env: dict[str, str], name: str, default: date) -> date:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a date as YYYY-MM-DD") from None


@dataclass(frozen=True)
class Settings:
    """Everything a deployment can configure. Defaults suit a local demo."""

    data_dir: Path | None = None
    """VEU_DATA_DIR: the dataset to serve. None means the demo dataset in data/demo/."""
    boundaries: Path = DEFAULT_BOUNDARIES
    """VEU_BOUNDARIES: municipality polygons (GeoJSON); default: the shipped simplified DAGI
    municipalities. A missing or unusable file → centroid maps with a notice."""
    reform_date: date = date(2025, 1, 1)
    """VEU_REFORM_DATE: when the 5 regional employment councils replaced the 8 RAR [A]."""
    disclosure_threshold: int = 5
    """VEU_DISCLOSURE_THRESHOLD: person counts below this are suppressed."""
    allow_person_download: bool = False
    """VEU_ALLOW_PERSON_DOWNLOAD: allow downloading person-level enrolments."""
    basemap_url: str | None = None
    """VEU_BASEMAP: a map style URL; opt-in, because it makes the browser fetch tiles."""
    keep_versions: int = 5
    """VEU_KEEP_VERSIONS: how many published dataset versions an import keeps."""
    upload_limit_mb: int = 200
    """VEU_UPLOAD_LIMIT_MB: largest file the upload page accepts."""
    demo_enrolments: int = 500_000
    """VEU_DEMO_ENROLMENTS: size of the demo dataset generated on first start."""

    @property
    def dataset_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else DEFAULT_DEMO_DIR

    @property
    def uses_demo(self) -> bool:
        return self.data_dir is None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment; raise SettingsError naming a bad variable."""
    env = dict(os.environ) if env is None else env
    data_dir = env.get("VEU_DATA_DIR", "").strip()
    boundaries = env.get("VEU_BOUNDARIES", "").strip()
    basemap = env.get("VEU_BASEMAP", "").strip()
    return Settings(
        data_dir=Path(data_dir).expanduser() if data_dir else None,
        boundaries=Path(boundaries).expanduser() if boundaries else DEFAULT_BOUNDARIES,
        reform_date=_env_date(env, "VEU_REFORM_DATE", date(2025, 1, 1)),
        disclosure_threshold=_env_int(env, "VEU_DISCLOSURE_THRESHOLD", 5, minimum=1),
        allow_person_download=_env_bool(env, "VEU_ALLOW_PERSON_DOWNLOAD", False),
        basemap_url=basemap or None,
        keep_versions=_env_int(env, "VEU_KEEP_VERSIONS", 5, minimum=1),
        upload_limit_mb=_env_int(env, "VEU_UPLOAD_LIMIT_MB", 200, minimum=1),
        demo_enrolments=_env_int(env, "VEU_DEMO_ENROLMENTS", 500_000, minimum=1_000),
    )
