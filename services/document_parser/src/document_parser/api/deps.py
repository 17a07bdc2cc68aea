"""Dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from document_parser.core.config import ParserSettings, get_settings
from document_parser.isolation import IsolatedParser


def _isolated(request: Request) -> IsolatedParser:
    return request.app.state.isolated


SettingsDep = Annotated[ParserSettings, Depends(get_settings)]
IsolatedDep = Annotated[IsolatedParser, Depends(_isolated)]
