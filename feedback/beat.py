"""Periodic tasks of the feedback app, merged into Celery beat by helpdesk/celery.py."""

SCHEDULE: dict = {}
