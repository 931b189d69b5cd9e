"""Kinds of delivery: what each one says, and what its app does once it went out (or did not).

The outbox knows how to claim, send, retry and fail a row; it does not know what a survey or a staff
notice is. Each app registers its kinds in its `AppConfig.ready()` (`outbox.kinds.register(SurveyKind())`),
so dependencies keep pointing one way: the outbox imports no app, the apps import the outbox.

For a claimed batch the outbox calls, per kind:
- `build(deliveries)`: one message per delivery (for the email transport an `EmailMessage` whose
  `Message-ID` header the kind sets: deterministic per row, see `tickets.email_trust`), or
  `Cancel(code)` when the delivery must no longer go out (the ticket was reopened, the recipient has
  no address). Reads only, outside any transaction; a delivery missing from the answer is cancelled as
  "gone" (its row was deleted).
- `sent(ids, at)`, `cancelled(codes)` and `failed(ids)`: in the transaction that marks the batch, so a
  domain row's state commits with its delivery's.
- `retried(ids)`: staff put failed deliveries back in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from datetime import datetime

    from outbox.models import Delivery


@dataclass(frozen=True)
class Cancel:
    """The answer of `Kind.build` for a delivery that must not go out; `code` names why."""

    code: str


GONE = "gone"
COMMON_REASONS = {GONE: _("Its cause no longer exists"), "unknown_kind": _("Nothing knows how to send it")}


class Kind:
    """One kind of delivery. Subclasses set `name` and `label`, and implement `build`."""

    name: str = ""
    label: Any = ""
    transport: str = "email"
    cancel_reasons: Mapping[str, Any] = {}  # code -> label, for the admin

    def build(self, deliveries: Sequence[Delivery]) -> dict[int, Any]:
        raise NotImplementedError

    def sent(self, delivery_ids: list[int], at: datetime) -> None:
        """The deliveries were accepted by the server."""

    def cancelled(self, codes: dict[int, str]) -> None:
        """The deliveries will not go out (`build` said why)."""

    def failed(self, delivery_ids: list[int]) -> None:
        """The last attempt failed: the deliveries are `failed` until staff retry them."""

    def retried(self, delivery_ids: list[int]) -> None:
        """Staff put failed deliveries back in the outbox."""


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if not kind.name or len(kind.name) > 40:
        raise ValueError(f"a delivery kind needs a name of 1-40 characters, not {kind.name!r}")
    _registry[kind.name] = kind
    return kind


def get(name: str) -> Kind | None:
    return _registry.get(name)


def label(name: str) -> Any:
    kind = _registry.get(name)
    return kind.label if kind is not None else name


def cancel_reason_label(kind_name: str, code: str) -> Any:
    kind = _registry.get(kind_name)
    reasons = {**COMMON_REASONS, **(kind.cancel_reasons if kind is not None else {})}
    return reasons.get(code, code)


def choices() -> list[tuple[str, Any]]:
    return sorted(((name, kind.label) for name, kind in _registry.items()), key=lambda item: str(item[1]))
