"""The English sentences the escalation app used to store, read back into `helpdesk.phrases` values.

Used by the data migration 0006_sentences_to_phrases only (the loader skips modules starting with "_").
Frozen: it knows the sentences as they were written before that migration, whatever the code says later.
Each reader returns None for text it does not know: such text stays as it was typed.
"""

import re

TRIGGERS = {
    "Manual: get someone who can": "manual",
    "Remedy above the agent's authority": "authority",
    "First-response target breached": "sla_first_response",
    "Resolution target breached": "sla_resolution",
    "Repeat contact": "repeat_contact",
    "Complaint unresolved": "complaint",
    "Service recovery (low rating)": "service_recovery",
}
REMEDY_KINDS = {"Refund": "refund", "Discount (%)": "discount", "Credit": "credit", "Replacement": "replacement",
                "Cancellation": "cancellation"}
FIXED_REASONS = {
    "First-response target breached.": "escalation.reason.first_response_breached",
    "Resolution target breached.": "escalation.reason.resolution_breached",
    "Complaint still unresolved past its target.": "escalation.reason.complaint_overdue",
}
CLOSED = "The ticket is closed and cannot reopen: reply by a new ticket or by phone."

_REMEDY = re.compile(r"(?P<kind>" + "|".join(re.escape(k) for k in REMEDY_KINDS)
                     + r") (?P<amount>\d+(?:\.\d+)?) (?P<unit>\S+)")


def p(code: str, **params) -> dict:
    return {"code": code, "params": params}


def _number(text: str):
    return int(text) if text.isdigit() else float(text)


def _join(*parts):
    kept = [part for part in parts if part not in (None, "", [], {})]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else kept


def _person(name: str):
    return p("escalation.nobody") if name == "nobody" else name


def remedy(text: str):
    match = _REMEDY.fullmatch(text)
    if match is None:
        return None
    return p("escalation.remedy", kind=p(f"escalation.remedy_kind.{REMEDY_KINDS[match['kind']]}"),
             amount=match["amount"], unit=match["unit"])


# --- Reasons ------------------------------------------------------------------------------------------


def reason(text: str):
    """An escalation's reason as the desk wrote it, or None."""
    text = text.strip()
    if text in FIXED_REASONS:
        return p(FIXED_REASONS[text])
    match = re.fullmatch(r"Customer rated (\d+) stars?\. Contact them at once\.( " + re.escape(CLOSED) + ")?", text)
    if match:
        return _join(p("escalation.reason.low_rating", stars=int(match[1])),
                     p("escalation.reason.closed_cannot_reopen") if match[2] else None)
    match = re.fullmatch(r"Reopened (\d+) times?\.", text)
    if match:
        return p("escalation.reason.reopened", n=int(match[1]))
    match = re.fullmatch(r"(.+) opened (\d+) tickets in (\d+(?:\.\d+)?) days\.", text, re.S)
    if match:
        return p("escalation.reason.repeat_tickets", customer=match[1], n=int(match[2]), days=_number(match[3]))
    match = re.fullmatch(r"(.+) needs approval", text)
    if match and remedy(match[1]) is not None:
        return p("escalation.reason.remedy_needs_approval", remedy=remedy(match[1]))
    return None


# --- Routing ------------------------------------------------------------------------------------------


def _load(text: str):
    if text == "1 open escalation":
        return p("escalation.routing.open_count", n=1)
    match = re.fullmatch(r"(\d+) open escalations", text)
    return p("escalation.routing.open_count", n=int(match[1])) if match else None


def _head(text: str):
    text = text[:1].lower() + text[1:]
    if text == "nobody available: left unassigned for any admin":
        return p("escalation.routing.nobody_available")
    patterns = (
        (r"routed to (?P<name>.+) \(team supervisor\): on shift, (?P<load>.+)", "escalation.routing.team"),
        (r"routed to (?P<name>.+) \(manager of queue (?P<queue>.+)\): (?P<load>.+)", "escalation.routing.manager"),
        (r"routed to (?P<name>.+) \(admin\): (?P<load>.+)", "escalation.routing.admin"),
        (r"nobody on shift: routed to (?P<name>.+), least loaded \((?P<load>.+)\)",
         "escalation.routing.nobody_on_shift"),
    )
    for pattern, code in patterns:
        match = re.fullmatch(pattern, text)
        if match:
            params = match.groupdict()
            load = _load(params["load"])
            if load is None:
                return None
            params.update(name=_person(params["name"]), load=load)
            return p(code, **params)
    return None


def _note(text: str):
    if text == "the team has no supervisors":
        return p("escalation.routing.no_supervisors")
    match = re.fullmatch(r"queue (.+) has no manager", text)
    if match:
        return p("escalation.routing.no_manager", queue=match[1])
    match = re.fullmatch(r"(.+) not eligible: it is their own ticket or remedy", text)
    if match:
        return p("escalation.routing.not_eligible", name=match[1])
    match = re.fullmatch(r"(.+) has (\d+ open escalations?)", text)
    if match:
        return p("escalation.routing.has_load", name=match[1], load=_load(match[2]))
    match = re.fullmatch(r"(.+) off shift", text)
    if match:
        return p("escalation.routing.off_shift", name=match[1])
    match = re.fullmatch(r"(.+) away", text)
    if match:
        return p("escalation.routing.away", name=match[1])
    return None


def explained(text: str):
    """A routing decision ("Routed to ...; others ...."), or None."""
    if not text.endswith("."):
        return None
    head, *notes = text[:-1].split("; ")
    head_phrase = _head(head)
    note_phrases = [_note(note) for note in notes]
    if head_phrase is None or None in note_phrases:
        return None
    return p("escalation.routing.explained", head=head_phrase, notes=note_phrases)


def routing(text: str):
    """A routing explanation, a tier-up's or a reassignment's, or None."""
    text = text.strip()
    match = re.fullmatch(r"Not acknowledged in time by (.+?); nobody higher is available\.", text)
    if match:
        return p("escalation.tier_up.nobody_higher", name=_person(match[1]))
    match = re.fullmatch(r"Not acknowledged in time by (.+?), moved up a tier: (.+)", text, re.S)
    if match and explained(match[2]) is not None:
        return p("escalation.tier_up.moved", name=_person(match[1]), why=explained(match[2]))
    match = re.fullmatch(r"Reassigned by (.+?) from (.+?) to (.+?)(?:: (.*))?", text, re.S)
    if match:
        who = {"actor": _person(match[1]), "previous": _person(match[2]), "to": _person(match[3])}
        if match[4]:
            return p("escalation.reassigned_with_note", note=match[4], **who)
        return p("escalation.reassigned", **who)
    return explained(text)


# --- History, notes and notifications --------------------------------------------------------------------


def fired_again(text: str):
    """"<trigger> — <reason> (<stars> stars: <comment>)" -> (phrase, typed text), or None."""
    for label, value in TRIGGERS.items():
        if text == label or text.startswith(label + " — ") or text.startswith(label + " ("):
            rest = text[len(label):]
            break
    else:
        return None
    stars = comment = None
    match = re.search(r" \((\d+|None) stars: (.*)\)$", rest, re.S)
    if match:
        stars, comment = match[1], match[2]
        rest = rest[:match.start()]
    said = typed = None
    if rest.startswith(" — "):
        rest = rest[3:]
        said = reason(rest)
        typed = None if said is not None else rest
    rated = p("escalation.rated", stars=int(stars)) if stars and stars.isdigit() else None
    return _join(said, rated), "\n".join(part for part in (typed, comment) if part)


def remedy_note(text: str):
    """A remedy applied, proposed or decided, as written on the ticket and in the history -> (phrase, typed)."""
    patterns = (
        (r"Remedy applied: (?P<remedy>.+?) \(within (?P<name>.+)'s authority of (?P<limit>[\d.]+)\)\.(?: (?P<typed>.*))?",
         "escalation.remedy.applied"),
        (r"Remedy proposed: (?P<remedy>.+?), awaiting a supervisor's approval \(authority: (?P<limit>[^)]+)\)\.(?: "
         r"(?P<typed>.*))?", "escalation.remedy.proposed"),
        (r"Remedy approved by (?P<name>.+?): (?P<remedy>.+?)\.(?: (?P<typed>.*))?", "escalation.remedy.approved"),
        (r"Remedy denied by (?P<name>.+?): (?P<remedy>.+?)\.(?: (?P<typed>.*))?", "escalation.remedy.denied"),
    )
    for pattern, code in patterns:
        match = re.fullmatch(pattern, text.strip(), re.S)
        if match is None or remedy(match["remedy"]) is None:
            continue
        params = {"remedy": remedy(match["remedy"])}
        if "name" in match.groupdict():
            params["name"] = match["name"]
        if "limit" in match.groupdict():
            params["limit"] = p("escalation.remedy.no_authority") if match["limit"] == "none" else match["limit"]
        return p(code, **params), match["typed"] or ""
    return None


def guidance_note(text: str):
    match = re.fullmatch(r"Escalation returned with guidance: (.*)", text, re.S)
    return (p("escalation.returned_with_guidance"), match[1]) if match else None


def notification(text: str):
    """A notification's text -> (phrase, typed), or None (a supervisor's guidance stays as written)."""
    text = text.strip()
    match = re.fullmatch(r"(.+?): (first response|resolution) due at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", text)
    if match:
        target = "escalation.sla.first_response" if match[2] == "first response" else "escalation.sla.resolution"
        due = {"datetime": match[3].replace(" ", "T") + ":00+00:00"}
        return p("escalation.notice.sla_warning", reference=match[1], target=p(target), due=due), ""
    match = re.fullmatch(r"(\S+), already escalated, was rated (\d+) stars?: contact the customer at once\.", text)
    if match:
        return p("escalation.notice.low_rating", reference=match[1], stars=int(match[2])), ""
    for label, value in TRIGGERS.items():
        match = re.fullmatch(re.escape(label) + r" on (\S+): (.+)", text, re.S)
        if match and routing(match[2]) is not None:
            return p("escalation.notice.routed", trigger=p(f"escalation.trigger.{value}"), reference=match[1],
                     why=routing(match[2])), ""
    said = routing(text)
    if said is not None:
        return said, ""
    return remedy_note(text)


def ticket_reason(text: str):
    match = re.fullmatch(r"Service recovery: rated (\d+) stars?", text.strip())
    return p("escalation.reopened_for_recovery", stars=int(match[1])) if match else None
