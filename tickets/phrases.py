"""The sentences the tickets app composes into its rows (timeline reasons), by code: rendered in the reader's
language by `helpdesk.phrases`. Imported by `TicketsConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from helpdesk import phrases

CATALOGUE = {
    "tickets.reason.customer_replied": _("customer replied"),
    "tickets.reason.closed_automatically": _("closed automatically after being resolved"),
    # In place of the text of an email that had none (Message.phrase).
    "tickets.email.no_text": _("(no text)"),
    "tickets.email.attachments_only": _("(attachments only)"),
}

phrases.register(CATALOGUE)
