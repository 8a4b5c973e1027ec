"""veu_metrics: the pure core of the VEU management-information dashboard.

Nothing in this package imports Streamlit: every number the dashboard shows is computed,
disclosure-controlled and formatted here, and tested here.
"""

__version__ = "0.1.0"
