"""Who may change the data from the web: the decision, free of Streamlit.

The app asks :func:`administrator` on every run, with what the server knows about the request —
the signed-in user's identity claims (``st.user``, filled by Streamlit from the OpenID Connect
provider's ID token, never from anything the browser can set) or the request headers (set by a
signing-in reverse proxy). Nothing in the session state or the URL is consulted, so no trick there
can make a visitor an administrator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from veu_metrics.settings import Settings


def _identity_of_user(user: Mapping[str, Any] | None) -> str | None:
    if not user or user.get("is_logged_in") is not True:
        return None
    for claim in ("email", "preferred_username", "upn", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _identity_of_headers(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted and isinstance(value, str) and value.strip():
            return value.strip()
    return None


def signed_in_as(settings: Settings, *, user: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> str | None:
    """The identity the configured sign-in vouches for (administrator or not), or None."""
    if settings.uploads == "oidc":
        return _identity_of_user(user)
    if settings.uploads == "header":
        return _identity_of_headers(headers, settings.admin_header)
    return None


def administrator(settings: Settings, *, user: Mapping[str, Any] | None = None,
                  headers: Mapping[str, str] | None = None) -> str | None:
    """The administrator's identity when uploads are enabled and the request comes from someone
    on the VEU_ADMINS list; None otherwise (uploads off, not signed in, not on the list)."""
    identity = signed_in_as(settings, user=user, headers=headers)
    if identity is None or identity.lower() not in settings.admins:
        return None
    return identity
