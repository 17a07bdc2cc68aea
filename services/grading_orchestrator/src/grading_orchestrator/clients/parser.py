"""document_parser client."""

from __future__ import annotations

import orjson

from medgrade_shared.http_client import ServiceClient


class ParserClient:
    def __init__(self, service: ServiceClient) -> None:
        self.service = service

    async def parse(self, text: str, fmt: str, summary_text: str | None) -> bytes:
        """The parsed transcript as raw JSON (forwarded to scoring without re-encoding)."""
        body = orjson.dumps({"text": text, "format": fmt, "summary_text": summary_text})
        return await self.service.request_bytes("POST", "/parse", body=body)

    async def upload(self, content: bytes, filename: str, content_type: str, fmt: str,
                     summary_text: str | None) -> bytes:
        """A transcript file parsed by ``POST /parse/upload``, as raw JSON like :meth:`parse`.
        The parser sniffs the file's type from its bytes; ``filename`` and ``fmt`` are only
        checked against them."""
        fields = {"format": fmt} if summary_text is None else {"format": fmt, "summary_text": summary_text}
        files = {"file": (filename, content, content_type)}
        return await self.service.request_bytes("POST", "/parse/upload", files=files, data=fields)
