"""``/docs`` and ``/redoc`` work offline: every script, style sheet and icon they load is served
by the service itself."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medgrade_shared.service import DOCS_ASSETS, create_service_app

_REFERENCE = re.compile(r"""\b(?:src|href|spec-url)=["']([^"']+)["']""")
_ABSOLUTE_URL = re.compile(r"(?:https?:)?//[^\s\"'<>]+")


async def _ready(_app) -> dict[str, bool]:
    return {}


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_service_app(service="demo", title="demo", lifespan=None, readiness=_ready, max_body_bytes=1 << 20)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_name_no_other_host(client, page):
    response = client.get(page)
    assert response.status_code == 200
    assert _ABSOLUTE_URL.findall(response.text) == []
    references = _REFERENCE.findall(response.text)
    assert references, "the page loads no asset: the pattern no longer matches the page"
    for url in references:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(("asset", "defines"), [("swagger-ui-bundle.js", "SwaggerUIBundle"),
                                                ("redoc.standalone.js", "Redoc")])
def test_the_asset_route_serves_the_scripts(client, asset, defines):
    response = client.get(f"{DOCS_ASSETS}/{asset}")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert len(response.content) > 100_000 and defines in response.text


def test_the_swagger_page_loads_the_served_bundle(client):
    html = client.get("/docs").text
    assert f'src="{DOCS_ASSETS}/swagger-ui-bundle.js"' in html
    assert "url: '/openapi.json'" in html
