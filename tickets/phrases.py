"""The sentences the tickets app composes into its rows (timeline reasons), by code: rendered in the reader's
language by `helpdesk.phrases`. Imported by `TicketsConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from helpdesk import phrases

CATALOGUE = {
    "tickets.reason.customer_replied": _("customer replied"),
    "tickets.reason.closed_automatically": _("closed automatically after being resolved"),
}

phrases.register(CATALOGUE)
