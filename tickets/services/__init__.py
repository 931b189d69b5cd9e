"""Every state change of a ticket goes through these functions (views, API, tasks and commands alike)."""

from .intake import ticket_open_for_customer
from .lifecycle import (
    TRANSITIONS,
    allowed_transitions,
    ticket_assign,
    ticket_create,
    ticket_transition,
    ticket_update,
    tickets_transition,
)
from .messages import message_add
from .search import search_document_rebuild, search_documents_rebuild_for_customer

__all__ = [
    "TRANSITIONS",
    "allowed_transitions",
    "message_add",
    "search_document_rebuild",
    "search_documents_rebuild_for_customer",
    "ticket_assign",
    "ticket_create",
    "ticket_open_for_customer",
    "ticket_transition",
    "ticket_update",
    "tickets_transition",
]
