"""Shareable links: what a link may hold, and a check that explains anything it cannot use.

The dashboard's filter widgets are bound to the URL (Streamlit writes each widget's value under its
key, lists as repeated parameters). Streamlit silently drops a value it cannot use; this module
finds those values *before* the widgets run, so the page can say plainly what was ignored and
why — a wrong link never crashes the app and never fails silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# Parameters the app itself may write that are not filters (Streamlit's own, or page-level).
IGNORED_KEYS = frozenset({"embed", "embed_options"})


@dataclass(frozen=True)
class LinkParam:
    """One URL key: which values it accepts and whether it holds several."""

    key: str
    allowed: frozenset[str]
    multi: bool = False
    range_of: int = 0  # 2 for a from–to pair of ordered values (the period)
    ordered: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkProblem:
    key: str
    value: str
    reason: str  # "unknown_key" | "unknown_value" | "too_many" | "range_order"

    def message(self, lang: str = "da") -> str:
        if lang == "en":
            return {
                "unknown_key": f"The link has an unknown setting '{self.key}' (ignored).",
                "unknown_value": f"The link's value '{self.value}' for '{self.key}' is not valid here (ignored).",
                "too_many": f"The link gives '{self.key}' more values than it takes (ignored).",
                "range_order": f"The link's period '{self.value}' ends before it starts (the default period is used).",
            }[self.reason]
        return {
            "unknown_key": f"Linket har en ukendt indstilling '{self.key}' (ignoreret).",
            "unknown_value": f"Linkets værdi '{self.value}' for '{self.key}' kan ikke bruges her (ignoreret).",
            "too_many": f"Linket giver '{self.key}' flere værdier, end den kan tage (ignoreret).",
            "range_order": f"Linkets periode '{self.value}' slutter, før den begynder (standardperioden bruges).",
        }[self.reason]


def check_link(params: Mapping[str, Iterable[str]], spec: Iterable[LinkParam]) -> list[LinkProblem]:
    """Every value in ``params`` that the app cannot use, with the reason; [] for a good link."""
    by_key = {p.key: p for p in spec}
    problems: list[LinkProblem] = []
    for key, raw_values in params.items():
        values = [v for v in raw_values if v != ""]
        if key in IGNORED_KEYS:
            continue
        param = by_key.get(key)
        if param is None:
            problems.append(LinkProblem(key, ",".join(values), "unknown_key"))
            continue
        for value in values:
            if value not in param.allowed:
                problems.append(LinkProblem(key, value, "unknown_value"))
        if param.range_of:
            if len(values) > param.range_of:
                problems.append(LinkProblem(key, ",".join(values), "too_many"))
            elif (len(values) == 2 and param.ordered and all(v in param.allowed for v in values)
                  and param.ordered.index(values[0]) > param.ordered.index(values[1])):
                problems.append(LinkProblem(key, "–".join(values), "range_order"))
        elif not param.multi and len(values) > 1:
            problems.append(LinkProblem(key, ",".join(values), "too_many"))
    return problems
