"""State changes of the domain. Import from here: `from boeking.services import booking_request`."""

from .audit import audit
from .bookings import (
    Quote,
    booking_approve,
    booking_cancel,
    booking_expire,
    booking_mark_paid,
    booking_quote,
    booking_refund_deposit,
    booking_reject,
    booking_request,
    expire_overdue,
)
from .closures import (
    closure_affected_bookings,
    closure_cancel_affected,
    closure_create,
    closure_delete,
    inactive_room_bookings,
    unavailable_cancel,
)
from .config import auto_approval_set, cap_rule_remove, cap_rule_set, rule_settings_update
from .payments import payment_start, payment_sync, stripe_event_handle
from .series import (
    series_approve,
    series_cancel,
    series_cancel_targets,
    series_create,
    series_expire_overdue,
    series_plan,
    series_reject,
    series_restore_date,
    series_split,
)

__all__ = [
    "payment_start", "payment_sync", "stripe_event_handle",
    "Quote", "audit", "booking_approve", "booking_cancel", "booking_expire", "booking_mark_paid", "booking_quote",
    "booking_refund_deposit", "booking_reject", "booking_request", "expire_overdue", "cap_rule_remove", "cap_rule_set",
    "closure_create", "closure_delete", "rule_settings_update", "closure_affected_bookings", "closure_cancel_affected",
    "inactive_room_bookings", "unavailable_cancel", "auto_approval_set",
    "series_approve", "series_cancel",
    "series_cancel_targets", "series_create", "series_expire_overdue", "series_plan", "series_reject", "series_restore_date",
    "series_split",
]
