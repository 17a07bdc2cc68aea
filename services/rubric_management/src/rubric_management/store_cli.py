"""Repair the rubric store: find and remove versions that do not load.

    python -m rubric_management.store_cli check
    python -m rubric_management.store_cli remove --rubric stroke_v1 --version 1.2.0

The store is the one the service uses: ``MEDGRADE_RUBRICS_STORE_PATH`` (or the S3 settings).
``check`` lists every unreadable version and exits 1 when there is one. ``remove`` deletes one
unreadable version with its status markers; it refuses a version that loads, since stored
versions are never deleted (archive them instead).
"""

from __future__ import annotations

import argparse
import sys

from medgrade_shared.store import StoreError, open_store
from rubric_management.core.config import RubricSettings
from rubric_management.repository import RubricRepository


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rubric_management.store_cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="list the versions that do not load")
    remove = sub.add_parser("remove", help="delete one version that does not load, with its status markers")
    remove.add_argument("--rubric", required=True, help="the rubric id, e.g. stroke_v1")
    remove.add_argument("--version", required=True, help="the exact version, e.g. 1.2.0")
    return parser


def _run(args: argparse.Namespace, repository: RubricRepository) -> int:
    if args.command == "check":
        unreadable = repository.unreadable()
        for version in unreadable:
            print(f"{version.rubric_id} {version.version}: {version.problem}")
        print(f"{len(unreadable)} unreadable version(s)", file=sys.stderr)
        return 1 if unreadable else 0
    repository.remove_unreadable(args.rubric, args.version)
    print(f"removed version {args.version} of rubric {args.rubric!r}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args, RubricRepository(open_store(RubricSettings())))
    except (LookupError, ValueError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
