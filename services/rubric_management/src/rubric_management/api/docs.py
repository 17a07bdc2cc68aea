"""Examples of the OpenAPI document: the packaged ``stroke_v1`` rubric as sent and as the
service answers it, and the answers of a store seeded with the packaged examples
(tests/test_openapi.py checks these against the live answers)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from medgrade_shared.examples import json_content
from medgrade_shared.models.rubric import Rubric
from rubric_management.repository import content_bytes

STROKE_RUBRIC: dict[str, Any] = json.loads(
    (files("rubric_management") / "examples" / "stroke_v1.json").read_text(encoding="utf-8"))
# As stored and served: every default filled in, the status beside the content.
STROKE_RUBRIC_STORED = {**json.loads(content_bytes(Rubric.model_validate(STROKE_RUBRIC))),
                        "status": STROKE_RUBRIC["status"]}
PATCH_EXAMPLE = [{"op": "replace", "path": "/key_questions_policy/coverage_threshold", "value": 0.75}]
RUBRIC_PAGE = {
    "items": [{"rubric_id": "chest_pain_v1", "title": "Acute chest pain: focused history", "latest_version": "1.0.0",
               "status": "approved", "approved_version": "1.0.0", "versions": 1},
              {"rubric_id": "stroke_v1", "title": "Acute stroke: focused history", "latest_version": "1.0.0",
               "status": "approved", "approved_version": "1.0.0", "versions": 1}],
    "unreadable": [], "total": 2, "limit": 50, "offset": 0}
QA_REPORT = {"valid": True, "errors": [], "warnings": [],
             "checks": ["schema", "weights", "empty_component", "key_question_weights", "patterns", "min_count",
                        "unique_ids", "unique_anchors", "critical_question", "summary_bounds", "penalty_sections",
                        "phrases"]}
RUBRIC_RESPONSE = {"model": Rubric, "content": json_content(STROKE_RUBRIC_STORED)}
