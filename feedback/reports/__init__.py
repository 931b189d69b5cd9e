"""Reports of the satisfaction loop (D3-D5): dashboard, drill-down, CSV, API and the weekly email.

The figures come from `feedback.metrics` (SQL aggregates) and `feedback.metrics_math` (statistics).
"""
