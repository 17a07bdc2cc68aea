"""JSON logs, one object per line, with the service name and the request id.

Log records carry ids, routes, statuses and durations; never transcript text, keys or tokens.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from medgrade_shared.request_context import current_request_id


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = current_request_id()
        return True


def logging_config(service: str, level: str = "INFO") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` of the JSON logs, for uvicorn's ``log_config``: uvicorn
    applies it in its own process and again in every worker process it starts."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": _ContextFilter, "service": service}},
        "formatters": {"json": {"()": JsonFormatter, "fmt": "{asctime}{levelname}{name}{message}{service}{request_id}",
                                "style": "{", "rename_fields": {"asctime": "ts", "levelname": "level",
                                                                "name": "logger"}}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json",
                                "filters": ["context"]}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            **{noisy: {"level": "WARNING"} for noisy in ("uvicorn.access", "httpx", "httpcore")},
            **{own: {"handlers": [], "propagate": True} for own in ("uvicorn", "uvicorn.error")},
        },
    }
