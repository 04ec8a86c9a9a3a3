"""Domain errors with stable machine codes. The API maps them to `{code, detail, rules}` and an HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, code: str | None = None, detail: str = "", rules: list[dict[str, Any]] | None = None):
        if code:
            self.code = code
        self.detail = detail or self.code
        self.rules = rules or []
        super().__init__(f"{self.code}: {self.detail}")


class InvalidInput(DomainError):
    """Input that can never be valid (end before start, guests ≤ 0, unknown kind)."""

    code = "invalid_input"


class InvalidLocalTime(InvalidInput):
    """A wall-clock time that does not exist, or exists twice, in Europe/Amsterdam."""

    code = "nonexistent_local_time"


class RuleViolation(DomainError):
    """One or more rules of SPEC §4 fail; `code` is the first failing rule's name."""

    code = "rule_violation"


class SlotTaken(DomainError):
    code = "slot_taken"
    http_status = 409


class CapReached(DomainError):
    code = "cap_reached"
    http_status = 409


class InvalidTransition(DomainError):
    code = "invalid_transition"
    http_status = 409


class NotAllowed(DomainError):
    code = "not_allowed"
    http_status = 403
