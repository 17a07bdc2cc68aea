"""What a service's image carries at run time, measured without Docker: its runtime venv, built
as the Dockerfile's runtime venv is (the same ``scripts/image_build.py requirements``, the same
constraints, the two MedGrade packages as wheels with their package data), in a temporary folder.

Prints the venv's size on disk, its largest installed distributions, and whether torch (or any
CUDA library) is among them: the scoring image must run without torch (issue #15). The image adds
the base image (``python:3.11-slim-bookworm``, pinned in the Dockerfile) and the service user to
this; it is not built here, so its own size is not measured. Scoring's ONNX model must have been
exported into the source tree first (``scripts/bootstrap.sh`` does), as the image build does
before it installs the wheels. Installs from the configured package index (pip's cache serves a
second run).

    python benchmarks/runtime_footprint.py --service scoring
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from importlib.metadata import Distribution, distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
BUILD_ONLY = ("torch", "nvidia-", "triton", "sentence-transformers", "transformers")
"""Distributions that belong to the model's export (the build stage), never to the runtime."""


def folder_bytes(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() or path.is_symlink())


def distribution_bytes(distribution: Distribution) -> int:
    """On-disk size of the files a distribution's RECORD lists."""
    total = 0
    for file in distribution.files or []:
        path = Path(str(distribution.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total


def _run(command: list[str], **options: object) -> None:
    """Run quietly; on failure show what the command said, and stop."""
    done = subprocess.run(command, capture_output=True, text=True, **options)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{done.stdout}{done.stderr}")


def build_venv(service: str, venv: Path) -> None:
    pyproject = ROOT / "services" / service / "pyproject.toml"
    requirements = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "image_build.py"), "requirements",
         str(ROOT / "shared" / "pyproject.toml"), str(pyproject)],
        check=True, capture_output=True, text=True).stdout.split()
    _run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, "-c", str(ROOT / "constraints.txt"), *requirements])
    packages = [str(ROOT / "shared"), str(ROOT / "services" / service)]
    _run([*pip, "--no-deps", "-c", str(ROOT / "constraints.txt"), *packages],
         env={**os.environ, "PIP_NO_CACHE_DIR": "1"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", default="scoring", help="a folder under services/")
    parser.add_argument("--top", type=int, default=12, help="how many of the largest distributions to list")
    args = parser.parse_args()
    if not (ROOT / "services" / args.service / "pyproject.toml").is_file():
        parser.error(f"no service {args.service!r} under {ROOT / 'services'}")
    with tempfile.TemporaryDirectory(prefix="medgrade-footprint-") as folder:
        venv = Path(folder) / "venv"
        build_venv(args.service, venv)
        site = next((venv / "lib").glob("python*/site-packages"))
        installed = sorted(((distribution_bytes(d), d.metadata["Name"]) for d in distributions(path=[str(site)])),
                           reverse=True)
        total = folder_bytes(venv)
        print(f"{args.service}: runtime venv {total / MIB:.0f} MiB on disk, {len(installed)} distributions")
        for size, name in installed[:args.top]:
            print(f"  {name:32s} {size / MIB:7.1f} MiB")
        build_only = [name for _, name in installed if name.lower().startswith(BUILD_ONLY)]
        print(f"build-only distributions at run time: {', '.join(build_only) if build_only else 'none'}")
    return 1 if build_only else 0


if __name__ == "__main__":
    sys.exit(main())
