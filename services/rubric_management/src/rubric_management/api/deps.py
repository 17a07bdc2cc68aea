"""Dependencies of the rubric routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from rubric_management.repository import RubricRepository


def get_repository(request: Request) -> RubricRepository:
    repository: RubricRepository = request.app.state.repository
    return repository


RepositoryDep = Annotated[RubricRepository, Depends(get_repository)]
