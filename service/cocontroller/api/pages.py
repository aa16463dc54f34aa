"""AIP-158 pagination: page sizes, and page tokens that are opaque to clients.

A token carries the list's cursor and a fingerprint of the request's other fields, so a token
used with another query is refused instead of silently paging through a different list.
"""

import base64
import hashlib
import json

from ..model import FactKind, Page, PageRequest
from ..usecases.facts import FactService
from .access import DealerScope
from .errors import BadField

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_MAX_TOKEN = 512


def page_request(page_size: int, page_token: str, *query) -> PageRequest:
    """The page a request asks for; `query` is every other field that selects the list."""
    if page_size < 0:
        raise BadField("page_size", "must not be negative")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if not page_token:
        return PageRequest(size)
    try:
        if len(page_token) > _MAX_TOKEN:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(page_token.encode("ascii")))
        after, fingerprint = data["a"], data["q"]
        if not isinstance(after, str) or not after:
            raise ValueError
    except (ValueError, TypeError, KeyError, UnicodeError):
        raise BadField("page_token", "is not a token this list gave") from None
    if fingerprint != _fingerprint(query):
        raise BadField("page_token", "belongs to a request with other fields; start again without it")
    return PageRequest(size, after)


def next_page_token(page: Page, *query) -> str:
    if not page.next_after:
        return ""
    data = json.dumps({"a": page.next_after, "q": _fingerprint(query)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode("ascii")


def fact_page(facts: FactService, scope: DealerScope, kind: FactKind, method: str, request, context) -> Page:
    """The page a List<Facts> request asks for, of one customer's facts of `kind`, within
    the caller's dealer scope; `method` names the list its tokens belong to."""
    scope.check_customer(context, request.customer_id)
    return facts.listed(kind, request.customer_id,
                        page_request(request.page_size, request.page_token, method, request.customer_id))


def _fingerprint(query: tuple) -> str:
    return hashlib.sha256(json.dumps([str(part) for part in query]).encode()).hexdigest()[:16]
