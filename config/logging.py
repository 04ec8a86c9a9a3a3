"""Private calendar tokens never reach a log: the one place that masks them.

A private feed's URL (`/ical/private/<token>.ics`) holds its only secret. Anything that logs a path could write it:
Django's CSRF warning for a POST to the feed (`django.security.csrf`, "Forbidden (…): <path>"), `django.request`'s
"Not Found"/"Method Not Allowed" lines and error reports (which carry the request), runserver's and gunicorn's access
lines, an exception's text. `mask()` replaces the token with "…"; `MaskPrivateFeedTokens` applies it to a log record
(message, arguments, traceback text and the request attached to it) and is attached to every handler in LOGGING
(config/settings/base.py, production.py) and to gunicorn's loggers (config/gunicorn.py); Django's error mail goes
through `MaskingAdminEmailHandler`, which masks the whole report. A handler filter changes
the record in place, so the handlers after it (root's, a test's caplog, an error reporter hooked in after the
handlers) see the masked record too.
"""

from __future__ import annotations

import copy
import logging
import re

from django.utils.log import AdminEmailHandler

# The token: everything after /ical/private/ up to the next delimiter of a URL or of a log line (".ics" included).
PRIVATE_FEED = re.compile(r"(/ical/private/)([^/\s?#\"'<>]+)")
_PATH_KEYS = ("PATH_INFO", "RAW_URI", "REQUEST_URI", "HTTP_REFERER", "SCRIPT_URL", "SCRIPT_URI")


def mask(text: str) -> str:
    """`text` with every private feed token replaced by "…" (`/ical/private/…`): in the path, and wherever else the
    same token stands in `text` on its own (an error report's local variable `token = '…'`)."""
    if "/ical/private/" not in text:
        return text
    tokens = {m.group(2).removesuffix(".ics") for m in PRIVATE_FEED.finditer(text)}
    text = PRIVATE_FEED.sub(r"\1…", text)
    for token in sorted(tokens, key=len, reverse=True):
        if len(token) >= 8:  # a real token is 43 characters; a short path part would mask unrelated text
            text = text.replace(token, "…")
    return text


def _masked_request(request):
    """A shallow copy of `request` whose path, full path and path-like META entries are masked; the request being
    served is left as it is."""
    clone = copy.copy(request)
    for name in ("path", "path_info"):
        if isinstance(getattr(request, name, None), str):
            setattr(clone, name, mask(getattr(request, name)))
    meta = getattr(request, "META", None)
    if isinstance(meta, dict):
        clone.META = {k: mask(v) if k in _PATH_KEYS and isinstance(v, str) else v for k, v in meta.items()}
        if getattr(request, "environ", None) is meta:
            clone.environ = clone.META
    return clone


class MaskPrivateFeedTokens(logging.Filter):
    """Masks private feed tokens in a record (see the module's docstring). Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the handler's to report, unmasked parts and all
            message = str(record.msg)
        if "/ical/private/" in message:
            # The formatted message, masked, replaces format and arguments: a token split over both is masked too.
            record.msg, record.args = mask(message), ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if "/ical/private/" in text:
                record.exc_text = mask(text)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        request = getattr(record, "request", None)
        if request is not None and "/ical/private/" in (getattr(request, "path", "") or ""):
            record.request = _masked_request(request)
        return True



class MaskingAdminEmailHandler(AdminEmailHandler):
    """Django's error mail with private feed tokens masked in its subject and whole text: the report lists the
    request, the exception and each frame's local variables (the view's `request`, its `token`)."""

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = mask(kwargs["html_message"])
        super().send_mail(mask(subject), mask(message), *args, **kwargs)
