"""scoring client. Request bodies are assembled from the raw rubric and parsed-transcript
JSON without re-encoding them: the parsed transcript goes as the parser answered it."""

from __future__ import annotations

from medgrade_shared.http_client import ServiceClient


class ScoringClient:
    def __init__(self, service: ServiceClient) -> None:
        self.service = service

    @staticmethod
    def score_body(rubric_raw: bytes, parsed_raw: bytes, kind: str) -> bytes:
        return b'{"rubric":' + rubric_raw + b',"parsed":' + parsed_raw + b',"kind":"' + kind.encode() + b'"}'

    async def score_component(self, component: str, body: bytes) -> bytes:
        return await self.service.request_bytes("POST", f"/score/{component}", body=body)

    async def aggregate(self, rubric_raw: bytes, components: dict[str, bytes], kind: str) -> bytes:
        parts = b",".join(b'"' + name.encode() + b'":' + raw for name, raw in components.items())
        body = b'{"rubric":' + rubric_raw + b',"components":{' + parts + b'},"kind":"' + kind.encode() + b'"}'
        return await self.service.request_bytes("POST", "/score/aggregate", body=body)
