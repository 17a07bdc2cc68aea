"""Dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from document_parser.core.config import ParserSettings, get_settings

SettingsDep = Annotated[ParserSettings, Depends(get_settings)]
