"""Periodic tasks of the escalation app, merged into Celery beat by helpdesk/celery.py."""

SCHEDULE: dict = {}
