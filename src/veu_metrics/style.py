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

# Maps colour amounts and rates on reversed viridis (maps.sequential_palette), with a flat grey
# for suppressed values and a light grey for no data (maps.SUPPRESSED_RGBA / NO_DATA_RGBA).

FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"
