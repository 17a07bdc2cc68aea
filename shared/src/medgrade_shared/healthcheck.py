"""The image's liveness probe: ``python -m medgrade_shared.healthcheck`` exits 0 when the service the
container runs (``MEDGRADE_SERVICE``, set by the image) answers 2xx on ``/health``, else 1.

One image serves any of the four services, so its HEALTHCHECK cannot name a port: the service is
looked up in the registry and its port read from ``<env_prefix>PORT``, as the service itself reads it.
Only the standard library, so that a probe costs a few milliseconds and no settings validation.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Mapping

from medgrade_shared.registry import LOCALHOST, SERVICES, Service

SERVICE_VARIABLE = "MEDGRADE_SERVICE"
TIMEOUT_S = 2.0


def health_url(environ: Mapping[str, str]) -> str:
    """The /health URL of the container's service; ValueError when the service is unset or unknown."""
    name = environ.get(SERVICE_VARIABLE, "")
    services: dict[str, Service] = {service.name: service for service in SERVICES}
    if name not in services:
        raise ValueError(f"{SERVICE_VARIABLE}={name!r} is not one of {sorted(services)}")
    service = services[name]
    port = environ.get(f"{service.env_prefix}PORT") or str(service.default_port)
    return f"http://{LOCALHOST}:{int(port)}/health"


def main() -> int:
    try:
        url = health_url(os.environ)
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return 0 if 200 <= response.status < 300 else 1
    except (ValueError, OSError) as exc:  # URLError and HTTPError are OSErrors
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
