"""Periodic tasks of the escalation app, merged into Celery beat by helpdesk/celery.py."""

SCHEDULE: dict = {
    "escalation-sla-sweep": {"task": "escalation.sla_sweep", "schedule": 60.0},
    "escalation-notifications-resend": {"task": "escalation.notifications_resend_stuck", "schedule": 300.0},
}
