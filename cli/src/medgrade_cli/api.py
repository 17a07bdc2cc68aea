"""The MedGrade API as the command sees it: one client, and one error that says what went wrong
in the API's own words (its JSON error envelope) or why the API could not be reached."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8080"
TIMEOUT_S = 60.0


class ApiCallError(Exception):
    """A call that did not succeed: ``status`` is None when the API could not be reached."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None,
                 request_id: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message, self.status, self.code, self.request_id = message, status, code, request_id
        self.details = details


@dataclass
class Api:
    url: str
    api_key: str | None

    def _client(self) -> httpx.Client:
        headers = {"X-API-Key": self.api_key} if self.api_key else {}
        return httpx.Client(base_url=self.url.rstrip("/"), headers=headers, timeout=TIMEOUT_S)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            with self._client() as client:
                response = client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiCallError(f"could not reach MedGrade at {self.url} ({exc.__class__.__name__}: {exc}); "
                               "is the suite up, and is MEDGRADE_URL right?") from None
        if response.status_code >= 400:
            raise _refusal(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.call(method, path, **kwargs).json()


def _refusal(response: httpx.Response) -> ApiCallError:
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    message = error.get("message") or response.text[:200] or response.reason_phrase
    return ApiCallError(message, response.status_code, error.get("code"), error.get("request_id"),
                        error.get("details"))


def transcript_files(folder: Path) -> Iterator[Path]:
    """The transcripts of a cohort folder, in name order: its files, hidden ones left out."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            yield path
