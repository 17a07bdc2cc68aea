"""What teachers overrode in their reviews, per rubric question and direction, read from the
stored revisions (``gradings/<id>/revisions/<n>.json``): a rubric author sees which questions
the matcher gets wrong, and which way.

    python -m grading_orchestrator.review_stats stroke_v1          # a table
    python -m grading_orchestrator.review_stats stroke_v1 --json   # the counts as JSON

The store is the orchestrator's (``MEDGRADE_ORCHESTRATOR_STORE_PATH`` or the S3 settings).
Each revision records only its own review's changes, so every override counts once. The live
counter is ``grading_review_overrides_total`` (Prometheus); this reads the stored history.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.revisions import direction
from medgrade_shared.store import ObjectStore, StoreError, open_store


def review_stats(store: ObjectStore, rubric_id: str) -> dict[str, Any]:
    """``{"rubric_id", "reviews", "gradings_reviewed", "overrides": [{"item", "direction", "count"}]}``,
    the most overridden first."""
    counts: Counter[tuple[str, str]] = Counter()
    reviews, gradings = 0, set()
    for key in store.list_keys("gradings/"):
        parts = key.split("/")
        if len(parts) != 4 or parts[2] != "revisions" or not parts[3].endswith(".json"):
            continue
        raw = store.get(key)
        document = json.loads(raw) if raw else {}
        if document.get("rubric_id") != rubric_id or not document.get("review"):
            continue
        reviews += 1
        gradings.add(parts[1])
        for change in document["review"]["changes"]:
            counts[(f"{change['kind']}:{change['id']}", direction(change))] += 1
    overrides = [{"item": item, "direction": way, "count": n}
                 for (item, way), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"rubric_id": rubric_id, "reviews": reviews, "gradings_reviewed": len(gradings), "overrides": overrides}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading_orchestrator.review_stats", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rubric_id", help="the rubric, e.g. stroke_v1")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    try:
        stats = review_stats(open_store(OrchestratorSettings()), args.rubric_id)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    print(f"{stats['rubric_id']}: {stats['reviews']} review(s) of {stats['gradings_reviewed']} grading(s)")
    print(f"{'item':<48} {'direction':<10} count")
    for row in stats["overrides"]:
        print(f"{row['item']:<48} {row['direction']:<10} {row['count']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
