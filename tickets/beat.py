"""Periodic tasks of the tickets app, merged into Celery beat by helpdesk/celery.py."""

SCHEDULE: dict = {}
