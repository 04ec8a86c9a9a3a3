"""Path converters. `<id:pk>`: a database id in a URL — 1 to 19 ASCII digits, more than 0 and less than 2**63 (a
bigint); anything else does not match, so the URL is a 404 before any view or query sees it. Django's `<int:…>`
passes any number of digits on, and SQLite cannot bind an integer past 64 bits (an OverflowError, a 500)."""

from __future__ import annotations

from django.urls import register_converter


class DatabaseId:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number < 2**63:
            raise ValueError(value)  # Django: no match
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(DatabaseId, "id")
