"""Streamlit-side helpers of the dashboard: state, the filter panel and rendering pieces."""

# Imported here, once, before any session runs a page: on a fresh server, sessions starting at the
# same moment could otherwise import these heavy modules concurrently and see them half-initialised.
import altair  # noqa: F401
import pandas  # noqa: F401
import statsmodels.api  # noqa: F401, E402  (the Jobcentre page's expected-uptake model)
