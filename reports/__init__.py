"""Reports (D3-D6): the satisfaction dashboard, the ratings behind a figure, CSV exports, the report API,
the team pulse, the escalation measures and the weekly summary email.

The reports read every app (tickets <- feedback <- escalation <- reports) through its models and
selectors, and nothing imports them. The figures come from `reports.figures`.
"""
