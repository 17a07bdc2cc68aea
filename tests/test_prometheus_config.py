"""prometheus.yml and the alert rules are valid, and every alert fires when it should
(prometheus/alerts_test.yml). Needs promtool; in CI (``CI`` set) its absence is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is not installed (apt-get install prometheus); CI must check the alert rules")
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return path


@pytest.mark.parametrize("args", [
    ["check", "config", "prometheus.yml"],
    ["check", "rules", "prometheus/alerts.yml"],
    ["test", "rules", "prometheus/alerts_test.yml"],
], ids=["check-config", "check-rules", "test-rules"])
def test_promtool(promtool, args):
    result = subprocess.run([promtool, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
