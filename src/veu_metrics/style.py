"""One colour scheme for charts, maps and exports; every palette is colour-blind safe."""

from __future__ import annotations

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
CATEGORY_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                    "#F0E442", "#000000")
PRIMARY = "#0072B2"
COMPARISON = "#9A9A9A"
TARGET = "#000000"
ON_TRACK = "#009E73"
BEHIND = "#D55E00"
PROJECTION = "#56B4E9"

# The balance's four official categories, as categories (never a ramp).
BALANCE_COLOURS = {
    "Mangel": "#D55E00",
    "Paradoks": "#CC79A7",
    "Gode jobmuligheder": "#009E73",
    "Mindre gode jobmuligheder": "#0072B2",
}

# Sequential single-hue ramp for amounts and rates (light → dark blue).
SEQUENTIAL = ("#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C", "#08306B")
SUPPRESSED_COLOUR = "#8C8C8C"
NO_DATA_COLOUR = "#F2F2F2"

FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"
