"""Export a version as a JSON or YAML file; import JSON or YAML files (sniffed, limited, validated)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

REFERENCE_FILE = {
    "rubric_id": "reference_v1",
    "version": "1.0.0",
    "status": "approved",
    "weights": {"structure": 0.2, "key_questions": 0.5, "reasoning": 0.1, "summary": 0.2, "communication": 0.0},
    "structure": {"anchor": "S", "expected_order": ["CC", "HPI", "ROS", "Summary"],
                  "penalties": [{"id": "missing_summary", "penalty": -0.2},
                                {"id": "swap_ros_before_hpi", "value": -0.1}]},
    "key_questions": [{"id": "onset_time", "anchor": "Q.onset_time", "label": "Onset", "critical": True,
                       "phrases": ["when did it start"]}],
    "reasoning": {"required_links": [{"id": "tpa", "pattern": r"\btpa\b"}], "major_gap_penalty": 0.1},
    "summary": {"max_tokens": 100, "overflow_divisor": 50, "required_elements": ["age", "onset time"]},
    "x_reference_note": "unknown keys are kept",
}


def _import(client: TestClient, data: bytes, filename: str = "rubric.json", content_type: str = "application/json",
            field: str = "file") -> Any:
    return client.post("/rubrics/import", files={field: (filename, data, content_type)})


def test_export_is_an_attachment_named_by_id_version_and_date(client: TestClient) -> None:
    response = client.get("/rubrics/stroke_v1/export", params={"version": "1.0.0"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    today = datetime.now(UTC).date().isoformat()
    assert response.headers["content-disposition"] == f'attachment; filename="stroke_v1_1.0.0_{today}.json"'
    assert response.json() == client.get("/rubrics/stroke_v1").json()
    assert response.headers["etag"] == client.get("/rubrics/stroke_v1").headers["etag"]


def test_export_without_version_is_the_latest_approved_and_yaml_on_request(client: TestClient) -> None:
    response = client.get("/rubrics/chest_pain_v1/export", params={"format": "yaml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/yaml"
    assert re.fullmatch(r'attachment; filename="chest_pain_v1_1\.0\.0_\d{4}-\d{2}-\d{2}\.yaml"',
                        response.headers["content-disposition"])
    assert yaml.safe_load(response.content) == client.get("/rubrics/chest_pain_v1").json()
    assert client.get("/rubrics/chest_pain_v1/export", params={"format": "xml"}).status_code == 422
    assert client.get("/rubrics/nope/export").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_an_exported_file_imports_as_the_same_version(make_client: Any, store_path: Path, fmt: str) -> None:
    client = make_client()
    exported = client.get("/rubrics/stroke_v1/export", params={"format": fmt}).content
    again = _import(client, exported, f"stroke.{fmt}", "application/octet-stream")
    assert again.status_code == 200
    assert again.content == client.get("/rubrics/stroke_v1").content
    fresh = make_client(seed_examples=False, store_path=store_path / "other",
                        s3_prefix="other")
    created = _import(fresh, exported, f"stroke.{fmt}")
    assert created.status_code == 201
    assert created.content == again.content


def test_a_reference_format_file_imports_unchanged(empty_client: TestClient) -> None:
    response = _import(empty_client, json.dumps(REFERENCE_FILE).encode())
    assert response.status_code == 201
    assert response.headers["location"] == "/rubrics/reference_v1?version=1.0.0"
    body = empty_client.get("/rubrics/reference_v1").json()
    assert body["status"] == "approved"
    assert body["x_reference_note"] == "unknown keys are kept"
    assert [p["rule"] for p in body["structure"]["penalties"]] == [
        {"missing": "Summary", "before": None}, {"missing": None, "before": ["ROS", "HPI"]}]
    assert [e["patterns"] for e in body["summary"]["required_elements"]] == [["age"], ["onset time"]]


def test_yaml_is_sniffed_from_the_content_not_the_name(empty_client: TestClient) -> None:
    data = yaml.safe_dump(REFERENCE_FILE).encode()
    response = _import(empty_client, data, "rubric.json", "application/json")
    assert response.status_code == 201
    assert response.json()["rubric_id"] == "reference_v1"


def test_identical_is_200_other_content_is_409(empty_client: TestClient) -> None:
    data = json.dumps(REFERENCE_FILE).encode()
    assert _import(empty_client, data).status_code == 201
    assert _import(empty_client, b"\xef\xbb\xbf" + json.dumps(REFERENCE_FILE, indent=4).encode()).status_code == 200
    conflict = _import(empty_client, json.dumps({**REFERENCE_FILE, "title": "Other"}).encode())
    assert conflict.status_code == 409
    assert conflict.json()["error"]["details"] == {"rubric_id": "reference_v1", "version": "1.0.0"}


def test_an_imported_file_that_fails_qa_or_the_schema_is_a_422(empty_client: TestClient) -> None:
    qa = _import(empty_client, json.dumps({**REFERENCE_FILE, "key_questions": []}).encode())
    assert (qa.status_code, qa.json()["error"]["code"]) == (422, "qa_failed")
    schema = _import(empty_client, json.dumps({**REFERENCE_FILE, "version": "one"}).encode())
    assert schema.status_code == 422
    assert schema.json()["error"]["details"][0]["loc"] == ["file", "version"]
    assert _import(empty_client, b"- just\n- a list\n").status_code == 422
    assert empty_client.get("/rubrics").json()["total"] == 0


def test_a_file_over_the_limit_is_a_413(make_client: Any) -> None:
    client = make_client(seed_examples=False, max_body_bytes=4096)
    padded = json.dumps({**REFERENCE_FILE, "x_padding": "x" * 5000}).encode()
    response = _import(client, padded)
    assert response.status_code == 413
    assert response.json()["error"]["details"] == {"limit_bytes": 4096}
    huge = _import(client, b"x" * 200_000)
    assert huge.status_code == 413
    assert huge.json()["error"]["details"] == {"limit_bytes": 4096}


@pytest.mark.parametrize(("data", "status"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", 415),
    (b"\xff\xfe{\x00}", 415),
    (b"{not json", 422),
    (b"a: [unclosed", 422),
    (b"a: &x [1]\nb: *x\n", 422),
    (b"rubric_id: !!python/object/apply:os.system ['true']\n", 422),
    (b'rubric_id: "\\ud800"\n', 422),
    (b"rubric_id: !!binary aGVsbG8=\n", 422),
    (b"{1: 2}\n", 422),
])
def test_files_that_are_not_rubric_text_are_refused(empty_client: TestClient, data: bytes, status: int) -> None:
    response = _import(empty_client, data, "r.yaml", "application/yaml")
    assert response.status_code == status, response.text
    assert empty_client.get("/rubrics").json()["total"] == 0


def test_import_needs_a_multipart_file_field(empty_client: TestClient) -> None:
    wrong_type = empty_client.post("/rubrics/import", json=REFERENCE_FILE)
    assert wrong_type.status_code == 415
    wrong_field = _import(empty_client, json.dumps(REFERENCE_FILE).encode(), field="upload")
    assert wrong_field.status_code == 422
    assert wrong_field.json()["error"]["details"][0]["loc"] == ["body", "file"]
    no_boundary = empty_client.post("/rubrics/import", content=b"--x--",
                                    headers={"content-type": "multipart/form-data"})
    assert no_boundary.status_code == 400
