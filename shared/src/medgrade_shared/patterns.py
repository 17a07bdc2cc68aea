"""Rubric regexes come from users, so they run on RE2: linear time, no backtracking blow-up."""

from __future__ import annotations

from functools import lru_cache

import re2

MAX_PATTERN_LENGTH = 2000
_MAX_PROGRAM_MEMORY = 8 << 20


class PatternError(ValueError):
    """A rubric pattern that is empty, too long, or not valid for RE2."""


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re2._Regexp:
    """Compile a case-insensitive rubric pattern with RE2; raise PatternError with the reason."""
    if not pattern or not pattern.strip():
        raise PatternError("pattern is empty")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = _MAX_PROGRAM_MEMORY
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(f"pattern does not compile under RE2: {reason}") from None
