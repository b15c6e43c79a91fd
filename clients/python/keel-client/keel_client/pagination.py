"""Walking Keel's lists to their end: every list answers a page of ``data`` and, in
``meta.next``, the next page's full URL (its filters and cursor included), ``null`` on the last.

Hand-written (not generated): ``scripts/generate-clients`` copies it into the package as
``keel_client.pagination``.
"""

from collections.abc import Iterator
from typing import Any, TypeVar

from .client import AuthenticatedClient, Client
from .errors import UnexpectedStatus
from .types import Unset

P = TypeVar("P")


def _parts(page: Any) -> tuple[list[Any], str | None]:
    if isinstance(page, dict):
        return page.get("data") or [], (page.get("meta") or {}).get("next")
    meta = getattr(page, "meta", None)
    nxt = None if meta is None or isinstance(meta, Unset) else getattr(meta, "next_", getattr(meta, "next", None))
    if isinstance(nxt, Unset):
        nxt = None
    return list(getattr(page, "data", []) or []), nxt


def pages(client: AuthenticatedClient | Client, first: P) -> Iterator[P]:
    """``first`` (a page the generated client returned, or its JSON), then each following page,
    parsed as the same model."""
    page: Any = first
    while True:
        yield page
        _, nxt = _parts(page)
        if not nxt:
            return
        response = client.get_httpx_client().get(nxt)
        if response.status_code >= 400:
            raise UnexpectedStatus(response.status_code, response.content)
        body = response.json()
        page = type(first).from_dict(body) if hasattr(type(first), "from_dict") else body


def items(client: AuthenticatedClient | Client, first: Any) -> Iterator[Any]:
    """Every row of a list, across all its pages."""
    for page in pages(client, first):
        yield from _parts(page)[0]
