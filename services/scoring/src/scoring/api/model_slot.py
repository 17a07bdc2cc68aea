"""Where the app keeps its sentence-embedding model, and the dependency that hands it out."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fastapi import Request

from medgrade_shared.errors import ApiError
from scoring.api.deps import SettingsDep
from scoring.semantic.model import Encoder


@dataclass
class ModelSlot:
    encoder: Encoder | None = None
    error: str | None = None
    settled: threading.Event = field(default_factory=threading.Event)  # set once loaded or failed

    def settle(self, encoder: Encoder | None, error: str | None = None) -> None:
        self.encoder, self.error = encoder, error
        self.settled.set()


def loaded_encoder(request: Request, settings: SettingsDep) -> Encoder:
    """The loaded model, or 503 ``model_not_ready`` (failed to load, or still loading after
    ``model_wait_s``). A plain ``def`` dependency: the wait blocks a pool thread, not the loop."""
    slot: ModelSlot = request.app.state.model
    slot.settled.wait(settings.model_wait_s)
    if slot.encoder is None:
        reason = f"it failed to load ({slot.error})" if slot.error else "it is still loading"
        raise ApiError(503, "model_not_ready", f"Key questions cannot be scored: the sentence-embedding model "
                       f"is not loaded, {reason}.", details={"loading": slot.error is None},
                       headers={"Retry-After": "5"})
    return slot.encoder
