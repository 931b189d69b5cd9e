"""On PostgreSQL the list's search is answerable from the trigram indexes of 0004_search_indexes.

The test database is tiny, so the planner would rightly prefer sequential scans; with them
disabled, a plan that still names the index proves the index expression matches the SQL Django
writes for `icontains` (a mismatch would silently leave production scanning 500k messages).
"""

import pytest
from django.db import connection

from tickets.filters import ticket_ids_matching
from tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _plan(queryset) -> str:
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_search_uses_the_trigram_index_on_message_bodies():
    assert "message_body_trgm_idx" in _plan(Ticket.objects.filter(pk__in=ticket_ids_matching("refund")))


def test_search_uses_the_trigram_index_on_subjects():
    assert "ticket_subject_trgm_idx" in _plan(Ticket.objects.filter(pk__in=ticket_ids_matching("refund")))


def test_reference_search_uses_the_unique_index():
    assert "tickets_ticket_reference_" in _plan(Ticket.objects.filter(pk__in=ticket_ids_matching("dd-1001")))


# --- The staff search document (migration 0005) and the sort ranks ---------------------------------


def _bitmap_plan(queryset) -> str:
    """The plan with sequential AND plain index scans off: only bitmap scans remain, so an empty test
    table cannot hide the GIN index behind a walk of the created_at index (the right plan for a
    common word on a big table)."""
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_staff_search_can_use_the_trigram_index_on_the_search_document():
    from tickets.filters import search_condition

    assert "ticket_search_trgm_idx" in _bitmap_plan(Ticket.objects.filter(search_condition("refund")))


def test_staff_search_reads_no_message_table():
    from tickets.filters import search_condition

    plan = _bitmap_plan(Ticket.objects.filter(search_condition("ord-100504")).order_by("-created_at", "-id")[:25])
    assert "ticket_search_trgm_idx" in plan
    assert "tickets_message" not in plan


def test_most_urgent_first_walks_the_priority_rank_index():
    plan = _plan(Ticket.objects.order_by("-priority_rank", "-created_at", "-id")[:25])
    assert "ticket_priority_rank_idx" in plan
    assert "Sort" not in plan.split("\n")[1]  # read in index order, not sorted


def test_search_by_customer_name_reads_the_search_document_index_not_the_customer_table():
    from tickets.filters import search_condition

    plan = _bitmap_plan(Ticket.objects.filter(search_condition("maarja tamm")).order_by("-created_at", "-id")[:25])
    assert "ticket_search_trgm_idx" in plan
    assert "tickets_customer" not in plan


def test_bare_ticket_number_search_can_use_the_reference_index():
    from tickets.filters import search_condition

    plan = _bitmap_plan(Ticket.objects.filter(search_condition("1302")).order_by("-created_at", "-id")[:25])
    assert "tickets_ticket_reference_" in plan
    assert "ticket_search_trgm_idx" in plan
