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
DEFAULT_DEMO_ENROLMENTS = 4_000_000
"""National scale: January 2018 to late 2026 at about 450,000 participations a year, as AMU and
the other job-oriented adult education had recently (docs/GENERATOR.md)."""


UPLOAD_MODES = ("off", "oidc", "header")
"""VEU_UPLOADS: who may change the data from the web. off: nobody (the upload page is not even
in the navigation); oidc: administrators signed in with Streamlit's st.login; header: a
signing-in reverse proxy names the user in a trusted header (only behind such a proxy)."""
DEFAULT_ADMIN_HEADER = "X-Forwarded-Email"
MIN_KEEP_VERSIONS = 2


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
    """VEU_DISCLOSURE_THRESHOLD: perturbed person counts below this are shown as '..' (1: off).
    The secret of disclosure control (VEU_DISCLOSURE_SECRET) is read by
    ``disclosure.resolve_secret`` only, so that it never sits in this object."""
    allow_person_download: bool = False
    """VEU_ALLOW_PERSON_DOWNLOAD: allow downloading person-level enrolments."""
    basemap_url: str | None = None
    """VEU_BASEMAP: a map style URL; opt-in, because it makes the browser fetch tiles."""
    keep_versions: int = 5
    """VEU_KEEP_VERSIONS: how many published dataset versions an import keeps."""
    upload_limit_mb: int = 200
    """VEU_UPLOAD_LIMIT_MB: largest file the upload page accepts."""
    demo_enrolments: int = DEFAULT_DEMO_ENROLMENTS
    """VEU_DEMO_ENROLMENTS: size of the demo dataset generated on first start."""
    uploads: str = "off"
    """VEU_UPLOADS: off | oidc | header — see UPLOAD_MODES. Default off: the web is read-only."""
    admins: frozenset[str] = frozenset()
    """VEU_ADMINS: comma-separated e-mail addresses (or subjects) of the administrators who may
    upload, publish and see the audit log; compared case-insensitively."""
    admin_header: str = DEFAULT_ADMIN_HEADER
    """VEU_ADMIN_HEADER: the request header a signing-in reverse proxy sets (header mode only)."""

    @property
    def dataset_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else DEFAULT_DEMO_DIR

    @property
    def uses_demo(self) -> bool:
        return self.data_dir is None


def _env_choice(env: dict[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise SettingsError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return value


def _env_admins(env: dict[str, str]) -> frozenset[str]:
    raw = env.get("VEU_ADMINS", "")
    return frozenset(part.strip().lower() for part in raw.replace(";", ",").split(",")
                     if part.strip())


def _env_header(env: dict[str, str]) -> str:
    raw = env.get("VEU_ADMIN_HEADER", "").strip()
    if not raw:
        return DEFAULT_ADMIN_HEADER
    if not all(c.isalnum() or c == "-" for c in raw):
        raise SettingsError(f"VEU_ADMIN_HEADER={raw!r}: expected a header name (letters, digits, -)")
    return raw


def load_settings(env: dict[str, str] | None = None, *,
                  upload_cap_mb: int | None = None) -> Settings:
    """Read settings from the environment; raise SettingsError naming a bad variable.

    ``upload_cap_mb`` is the server's own cap on an uploaded file (Streamlit's
    ``server.maxUploadSize``): a larger VEU_UPLOAD_LIMIT_MB could never be honoured, so it is
    refused rather than silently clamped.
    """
    env = dict(os.environ) if env is None else env
    upload_limit = _env_int(env, "VEU_UPLOAD_LIMIT_MB", 200, minimum=1)
    if upload_cap_mb is not None and upload_limit > upload_cap_mb:
        raise SettingsError(
            f"VEU_UPLOAD_LIMIT_MB={upload_limit}: the server accepts files of at most "
            f"{upload_cap_mb} MB (server.maxUploadSize in .streamlit/config.toml); "
            "lower the setting or raise the server's cap")
    uploads = _env_choice(env, "VEU_UPLOADS", UPLOAD_MODES, "off")
    admins = _env_admins(env)
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
        keep_versions=_env_int(env, "VEU_KEEP_VERSIONS", 5, minimum=MIN_KEEP_VERSIONS),
        upload_limit_mb=upload_limit,
        demo_enrolments=_env_int(env, "VEU_DEMO_ENROLMENTS", DEFAULT_DEMO_ENROLMENTS,
                                 minimum=1_000),
        uploads=uploads,
        admins=admins,
        admin_header=_env_header(env),
    )
