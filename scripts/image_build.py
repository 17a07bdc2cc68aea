#!/usr/bin/env python3
"""What the repository's Dockerfile reads from the pyproject files while it builds one service's image.

Standard library only: it runs on the base image's Python before anything is installed.

    image_build.py check SERVICE [--root DIR]            # exit 1, naming the services, unless services/SERVICE is one
    image_build.py requirements PYPROJECT...             # [project] dependencies, the medgrade-* packages left out
    image_build.py requirements --extra NAME PYPROJECT   # one [project.optional-dependencies] extra
    image_build.py build-assets PYPROJECT                # [tool.medgrade] build-assets, relative to the service
    image_build.py console-script PYPROJECT              # the one [project.scripts] entry's name

``build-assets`` names a script that the image build runs in a build-only venv (the pyproject's
``export`` extra and CPU torch; the runtime stage never gets it) after installing the packages
editable, so that what it writes lands in the package's data. It prints nothing when the
service declares none. Each subcommand prints one item a line and exits 1 with a message on
stderr when the pyproject does not say what it should.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

OWN_PACKAGES = "medgrade-"
"""The repository's own distributions: installed from their folders, never from an index."""
SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]*")


class BuildInputError(Exception):
    """A pyproject or a SERVICE argument the image cannot be built from; the message says why."""


def _load(pyproject: Path) -> dict:
    try:
        with pyproject.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError as exc:
        raise BuildInputError(f"{pyproject}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise BuildInputError(f"{pyproject}: not valid TOML ({exc})") from exc


def services(root: Path) -> list[str]:
    """The folders under services/ that hold a pyproject.toml."""
    return sorted(p.parent.name for p in (root / "services").glob("*/pyproject.toml"))


def check(service: str, root: Path) -> Path:
    """services/<service>, when it is a service of the repository; else BuildInputError."""
    known = services(root)
    if not service:
        raise BuildInputError(f"SERVICE is not set: build with --build-arg SERVICE=<one of {', '.join(known)}>")
    if not SERVICE_NAME.fullmatch(service) or service not in known:
        raise BuildInputError(f"SERVICE={service!r} is no service: services/{service}/pyproject.toml does not "
                              f"exist; choose one of {', '.join(known)}")
    return root / "services" / service


def requirements(pyprojects: Sequence[Path]) -> list[str]:
    """The [project] dependencies of each file in turn, without the repository's own packages."""
    found = []
    for pyproject in pyprojects:
        dependencies = _load(pyproject).get("project", {}).get("dependencies")
        if dependencies is None:
            raise BuildInputError(f"{pyproject}: no [project] dependencies")
        found.extend(d for d in dependencies if not d.startswith(OWN_PACKAGES))
    return found


def extra(pyproject: Path, name: str) -> list[str]:
    extras = _load(pyproject).get("project", {}).get("optional-dependencies", {})
    if name not in extras:
        raise BuildInputError(f"{pyproject}: no [project.optional-dependencies] extra {name!r}")
    return list(extras[name])


def build_assets(pyproject: Path) -> str | None:
    """[tool.medgrade] build-assets: a script inside the service's folder, or None."""
    script = _load(pyproject).get("tool", {}).get("medgrade", {}).get("build-assets")
    if script is None:
        return None
    path = PurePosixPath(script) if isinstance(script, str) else None
    if path is None or path.is_absolute() or ".." in path.parts or not path.parts:
        raise BuildInputError(f"{pyproject}: [tool.medgrade] build-assets must be a path inside the service's "
                              f"folder, not {script!r}")
    if not (pyproject.parent / path).is_file():
        raise BuildInputError(f"{pyproject}: build-assets {script!r} is not a file")
    return str(path)


def console_script(pyproject: Path) -> str:
    scripts = _load(pyproject).get("project", {}).get("scripts", {})
    if len(scripts) != 1:
        raise BuildInputError(f"{pyproject}: [project.scripts] must have exactly one entry (the service's "
                              f"command), has {sorted(scripts) or 'none'}")
    return next(iter(scripts))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="image_build.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="exit 1 unless services/SERVICE is a service")
    check_cmd.add_argument("service", help="a folder name under services/ (empty: SERVICE was not set)")
    check_cmd.add_argument("--root", type=Path, default=Path("."), help="the build context (default: .)")
    req = commands.add_parser("requirements", help="the dependencies to install from the index")
    req.add_argument("--extra", help="print this optional-dependencies extra instead (one pyproject)")
    req.add_argument("pyprojects", type=Path, nargs="+")
    for name in ("build-assets", "console-script"):
        commands.add_parser(name).add_argument("pyproject", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            check(args.service, args.root)
            lines: list[str] = []
        elif args.command == "requirements":
            if args.extra is not None:
                if len(args.pyprojects) != 1:
                    parser.error("requirements --extra takes one pyproject")
                lines = extra(args.pyprojects[0], args.extra)
            else:
                lines = requirements(args.pyprojects)
        elif args.command == "build-assets":
            script = build_assets(args.pyproject)
            lines = [script] if script else []
        else:
            lines = [console_script(args.pyproject)]
    except BuildInputError as exc:
        print(f"image_build.py {args.command}: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
