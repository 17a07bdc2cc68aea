"""``/services/status``: every service's health and latency, checked concurrently."""

from __future__ import annotations

import asyncio
import time

import httpx


class StatusChecker:
    def __init__(self, clients: dict[str, httpx.AsyncClient], timeout_s: float) -> None:
        self.clients = clients
        self.timeout_s = timeout_s

    async def check(self) -> dict:
        names = list(self.clients)
        results = await asyncio.gather(*(self._probe(self.clients[name]) for name in names))
        services = dict(zip(names, results, strict=True))
        services["grading_orchestrator"] = {"status": "up", "latency_ms": 0.0}
        overall = "ok" if all(s["status"] == "up" for s in services.values()) else "degraded"
        return {"status": overall, "services": services}

    async def _probe(self, client: httpx.AsyncClient) -> dict:
        started = time.perf_counter()
        try:
            response = await client.get("/health", timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            return {"status": "down", "latency_ms": _ms(started), "error": type(exc).__name__}
        status = "up" if response.status_code == 200 else "down"
        entry = {"status": status, "latency_ms": _ms(started)}
        if status == "down":
            entry["error"] = f"HTTP {response.status_code}"
        return entry


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
