"""Periodic tasks of the escalation app, merged into Celery beat by helpdesk/celery.py."""

SCHEDULE: dict = {
    "escalation-sla-sweep": {"task": "escalation.sla_sweep", "schedule": 60.0},
}
