"""A fault proxy in front of olah that also answers the Hub's model search.

olah's offline mode does not serve `GET /api/models?…`; this answers it the way the
Hub does (docs/scan.md): a JSON list of `{"_id", "id", …expanded fields}`, at most
`page` items per answer, the next page in a `Link: <…>; rel="next"` header, filtered
by `filter=base_model:<relation>:<org/name>` or `author=<org>`.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

from faultproxy import FaultProxy


class HubProxy(FaultProxy):
    def __init__(self, upstream: str, models: list[dict[str, str]], page: int = 100) -> None:
        """`models`: {"id", "sha", "lastModified", "base", "relation"} per listed repo."""
        super().__init__(upstream)
        self.models = models
        self.page = page
        self.searches: list[str] = []

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        if parts.path != "/api/models" or h.command != "GET":
            super()._handle(h)
            return
        self.searches.append(h.path)
        query = parse_qs(parts.query)
        hits = self.models
        for f in query.get("filter", []):
            hits = [m for m in hits if _tag(m) == f.lower()]
        for author in query.get("author", []):
            hits = [m for m in hits if m["id"].split("/")[0] == author]
        limit = min(int(query.get("limit", ["1000"])[0]), self.page)
        start = int(query.get("cursor", ["0"])[0])
        expand = set(query.get("expand[]", []))
        body = [
            {"_id": m["sha"][:24], "id": m["id"], **{k: m[k] for k in expand if k in m}}
            for m in hits[start : start + limit]
        ]
        payload = json.dumps(body).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        if start + limit < len(hits):
            rest = {k: v for k, v in query.items() if k != "cursor"}
            nxt = urlencode({**rest, "cursor": [str(start + limit)]}, doseq=True)
            h.send_header("Link", f'<{self.url}/api/models?{nxt}>; rel="next"')
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(payload)
        h.close_connection = True


def _tag(model: dict[str, str]) -> str | None:
    if not model.get("base"):
        return None
    return f"base_model:{model['relation']}:{model['base']}".lower()
