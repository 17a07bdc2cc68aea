"""Manage API keys in the orchestrator's key store (``auth/api_keys.json`` in its store).

    python -m grading_orchestrator.keys_cli create --name lms --scopes grade
    python -m grading_orchestrator.keys_cli list
    python -m grading_orchestrator.keys_cli revoke --name lms          # every key of the client
    python -m grading_orchestrator.keys_cli revoke --hash 3f9a0c12d4   # one key (see list)

The store is the one the orchestrator uses: ``MEDGRADE_ORCHESTRATOR_STORE_PATH`` (or the S3
settings). ``create`` prints the new key once on stdout; only its hash is kept, so a lost key
is revoked and replaced, never recovered. Revocation takes effect on the next request.
"""

from __future__ import annotations

import argparse
import sys

from grading_orchestrator.core.config import OrchestratorSettings
from medgrade_shared.api_keys import SCOPES, ApiKeyStore, KeyStoreError, open_key_file
from medgrade_shared.store import StoreError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grading_orchestrator.keys_cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="client name (logged, and the rate-limit bucket)")
    create.add_argument("--scopes", required=True, nargs="+",
                        help=f"one or more of {', '.join(SCOPES)} (space- or comma-separated)")
    sub.add_parser("list", help="list keys: client, scopes, created, revoked, hash prefix")
    revoke = sub.add_parser("revoke", help="revoke every key of a client, or one key by hash prefix")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--name", help="revoke every active key of this client")
    which.add_argument("--hash", dest="hash_prefix", help="revoke the key whose hash starts with this (from list)")
    return parser


def _run(args: argparse.Namespace, keys: ApiKeyStore) -> int:
    if args.command == "create":
        scopes = [s for item in args.scopes for s in item.split(",") if s]
        key = keys.create(args.name, scopes)
        print(f"created a key for client {args.name!r} with scopes {' '.join(scopes)}; "
              "it is shown only this once:", file=sys.stderr)
        print(key)
        return 0
    if args.command == "list":
        print(f"{'client':<24} {'scopes':<34} {'created':<26} {'revoked':<8} hash")
        for record in keys.list():
            print(f"{record.name:<24} {' '.join(record.scopes):<34} {record.created_at:<26} "
                  f"{'yes' if record.revoked else 'no':<8} {record.hash_prefix}")
        return 0
    revoked = keys.revoke(name=args.name, hash_prefix=args.hash_prefix)
    if not revoked:
        print("no active key matched; nothing revoked", file=sys.stderr)
        return 1
    for record in revoked:
        print(f"revoked key {record.hash_prefix} of client {record.name!r}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = OrchestratorSettings()
    try:
        return _run(args, ApiKeyStore(open_key_file(settings, settings.api_keys_recheck_s)))
    except (KeyStoreError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
