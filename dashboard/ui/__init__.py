"""Streamlit-side helpers of the dashboard: state, the filter panel and rendering pieces."""
