"""What an import problem expected, from the text store: ``expected.<name>`` in messages.yaml.

The call sites of ``ingest.report.Problems`` name a key and its values; the texts live, Danish first,
in messages.yaml. ``Problems`` takes the pair in the order (English, Danish).
"""

from __future__ import annotations

from string import Formatter

import polars as pl

from veu_metrics.i18n import t


def expect(key: str, **values: object) -> tuple[str, str]:
    """What was expected, from messages.yaml's ``expected.<key>`` with its placeholders filled:
    (English, Danish), the order ``Problems`` takes."""
    en, da = (t(f"expected.{key}", lang).format(**values) for lang in ("en", "da"))
    return en, da


EXPECTED_COLUMNS = ("__en", "__da")
"""The columns ``expect_rows`` adds: a per-row expected text for ``add_rows(expected_columns=)``."""


def expect_rows(key: str, **values: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Per-row expected texts (English, Danish) named ``EXPECTED_COLUMNS``: messages.yaml's
    ``expected.<key>`` with each placeholder filled from an expression."""
    en, da = (_format_expr(t(f"expected.{key}", lang), values).alias(column)
              for lang, column in zip(("en", "da"), EXPECTED_COLUMNS, strict=True))
    return en, da


def _format_expr(text: str, values: dict[str, pl.Expr]) -> pl.Expr:
    """``text`` as a ``pl.format`` of its literal parts and the placeholders' expressions."""
    template, exprs = "", []
    for literal, name, _, _ in Formatter().parse(text):
        template += literal
        if name is not None:
            template += "{}"
            exprs.append(values[name].cast(pl.String))
    return pl.format(template, *exprs) if exprs else pl.lit(template)
