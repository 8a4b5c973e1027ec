"""Benchmarks of the dashboard's core against plain pandas and DuckDB (see docs/PERFORMANCE.md).

Run everything with ``python -m benchmarks.run``. Modules here import nothing heavy at package
level: each implementation runs in its own subprocess so that its peak memory is its own.
"""
