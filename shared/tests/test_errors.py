"""Domain failures carry no HTTP; the one table of `medgrade_shared.service` answers each kind
with its status, in the error envelope, for every service."""

from __future__ import annotations

import pickle

import pytest
from fastapi.testclient import TestClient

from medgrade_shared import errors
from medgrade_shared.deadline import exceeded
from medgrade_shared.service import DOMAIN_STATUS, create_service_app

EXPECTED = {errors.Malformed: 400, errors.NotFound: 404, errors.Conflict: 409, errors.PreconditionFailed: 412,
            errors.TooLarge: 413, errors.UnsupportedMedia: 415, errors.Invalid: 422, errors.UpstreamFailed: 502,
            errors.Unavailable: 503, errors.DeadlineExceeded: 504, errors.Damaged: 500}


async def _ready(_app) -> dict[str, bool]:
    return {}


def _client(raised: errors.DomainError) -> TestClient:
    app = create_service_app(service="demo", title="demo", lifespan=None, readiness=_ready, max_body_bytes=1 << 20)

    @app.get("/fail")
    def fail() -> None:
        raise raised

    return TestClient(app, raise_server_exceptions=False)


def test_every_kind_of_domain_failure_has_its_status() -> None:
    kinds = {kind for kind in vars(errors).values()
             if isinstance(kind, type) and issubclass(kind, errors.DomainError) and kind is not errors.DomainError}
    assert kinds == set(DOMAIN_STATUS) and DOMAIN_STATUS == EXPECTED


@pytest.mark.parametrize(("kind", "status"), EXPECTED.items(), ids=lambda value: getattr(value, "__name__", value))
def test_a_domain_failure_is_answered_in_the_envelope_with_its_status(kind, status) -> None:
    with _client(kind("some_code", "What went wrong, for a teacher.", {"field": 1})) as client:
        response = client.get("/fail")
    assert response.status_code == status
    body = response.json()["error"]
    assert (body["code"], body["message"], body["details"]) == ("some_code", "What went wrong, for a teacher.",
                                                                 {"field": 1})
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_a_subclass_takes_the_status_of_its_nearest_kind_and_retry_after_becomes_a_header() -> None:
    class ModelLoading(errors.Unavailable):
        pass

    with _client(ModelLoading("model_not_ready", "Try again shortly.", retry_after_s=5)) as client:
        response = client.get("/fail")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"


def test_a_domain_failure_crosses_a_process_boundary_whole() -> None:
    original = errors.TooLarge("parse_memory_limit", "Too big.", {"limit_mib": 256}, retry_after_s=3)
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is errors.TooLarge
    assert (copy.code, copy.message, copy.details, copy.retry_after_s) == ("parse_memory_limit", "Too big.",
                                                                           {"limit_mib": 256}, 3)


def test_a_passed_deadline_names_the_stage_that_was_stopped() -> None:
    late = exceeded("scoring")
    assert isinstance(late, errors.DeadlineExceeded) and late.details == {"stage": "scoring"}
    assert "scoring" in late.message
