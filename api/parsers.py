"""The one request-body parser of the API (SPEC §6: JSON over HTTPS): JSON, bounded in nesting depth.

DRF's JSONParser hands the body to `json.load` as it is: 5,000 nested `[` made Python's parser raise RecursionError
(a 500, for anyone, without logging in). Here the nesting is measured in one linear scan before the body is parsed:

| code | when |
|---|---|
| `invalid_json` | arrays/objects nested deeper than MAX_DEPTH (no request body of this API needs more than 3) |
| `parse_error` | not JSON at all (as before) |
| `bad_request` | a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django refuses it before any parser (config/errors.py) |

Form-encoded and multipart bodies are not read by the API at all (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES has this
parser only): they answer 415 `unsupported_media_type`. The Stripe webhook reads its raw body (request.body), so it
does not depend on a parser.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.utils import json  # DRF's: `strict_constant` refuses NaN and Infinity

MAX_DEPTH = 32

# A JSON string: from its quote to the closing quote, or to the end of an unterminated one (so every quote starts one
# match that moves on: linear, never retried from inside a string).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")  # bytes.translate deletes these
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # opening +1, closing -1 (as signed bytes)


class InvalidJSON(exceptions.ParseError):
    default_code = "invalid_json"
    default_detail = f"De JSON is dieper genest dan {MAX_DEPTH} niveaus."


def nesting_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays/objects in `text` nest deeper than `limit`; brackets inside strings do not count. Linear, in C
    loops (regex, bytes.translate, accumulate): 2.5 MB of brackets take about 0.1 s. Malformed text (an unterminated
    string, unbalanced brackets) is measured as well as it can be and left for the JSON parser to refuse."""
    if text.count("[") + text.count("{") <= limit:
        return False
    # Outside strings only brackets matter; in UTF-8 no byte of a non-ASCII character is a bracket.
    brackets = _STRING.sub("", text).encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets.translate(_STEPS))), default=0) > limit


class JSONParser(DRFJSONParser):
    """DRF's JSON parser with the nesting bounded (see the module's docstring). DRF hands it request.body, which
    Django has already bounded by DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        if nesting_exceeds(text):
            raise InvalidJSON()
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError as exc:  # not reached after the scan; kept so a parser change cannot bring the 500 back
            raise InvalidJSON() from exc
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
