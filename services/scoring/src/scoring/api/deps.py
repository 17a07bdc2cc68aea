"""Route dependencies: the settings, one way for every service (overridden by ``create_app``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from scoring.core.config import ScoringSettings, get_settings

SettingsDep = Annotated[ScoringSettings, Depends(get_settings)]
