"""The one entry point: transcript text in, :class:`ParsedTranscript` out. Pure and
synchronous, so the API runs it in the thread pool and benchmarks call it directly.

The work is bounded by :class:`ParseLimits` (checked before the step each limit protects) and
by the caller's deadline (:func:`medgrade_shared.deadline.check` between stages)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from document_parser.parsing.collector import collector_paused
from document_parser.parsing.formats import READERS, detect_format
from document_parser.parsing.limits import NO_LIMITS, ParseLimits, over_limit
from document_parser.parsing.parse_warnings import parse_warnings
from document_parser.parsing.raw import Reading
from document_parser.parsing.segmentation import detected_order, segment
from document_parser.parsing.speakers import PREAMBLE_SPEAKER
from document_parser.parsing.summary import build_summary
from document_parser.parsing.timing import check_times
from document_parser.parsing.utterances import build_utterances
from medgrade_shared.deadline import check as check_deadline
from medgrade_shared.errors import Invalid
from medgrade_shared.models.transcript import ParsedTranscript, RoleSource, Speaker, Utterance


def parse_transcript(text: str, fmt: str = "auto", summary_text: str | None = None,
                     limits: ParseLimits = NO_LIMITS) -> ParsedTranscript:
    """Parse ``text`` in format ``fmt`` (``auto``, ``text``, ``vtt``, ``srt``, ``json``); files
    (PDF, Word, text in any encoding) go through :func:`document_parser.parsing.uploads.parse_upload`.

    Raises :class:`~medgrade_shared.errors.DomainError` for input that is not a usable transcript or is over ``limits``.
    """
    if limits.max_chars is not None and len(text) > limits.max_chars:
        raise over_limit("transcript_too_large", f"The transcript has {len(text):,} characters; the parser reads at "
                         f"most {limits.max_chars:,}.", "max_chars", limits.max_chars)
    if not text.strip():
        raise Invalid("empty_transcript", "The transcript is empty.")
    resolved = detect_format(text) if fmt == "auto" else fmt
    reader = READERS.get(resolved)
    if reader is None:
        raise Invalid("format_not_supported", f"Unknown transcript format {resolved!r}.")
    with collector_paused():
        return _parse(resolved, reader, text, summary_text, limits)


def _parse(resolved: str, reader: Callable[[str], Reading], text: str, summary_text: str | None,
           limits: ParseLimits) -> ParsedTranscript:
    check_deadline("parse (reading)")
    reading = reader(text)
    if not reading.utterances:
        raise Invalid("no_utterances", "No utterances were found in the transcript.")
    count, most = len(reading.utterances), limits.max_utterances
    if most is not None and count > most:
        raise over_limit("too_many_utterances", f"The transcript has {count:,} utterances; the parser reads at most "
                         f"{most:,} in one transcript.", "max_utterances", most)
    check_times(reading.utterances)
    check_deadline("parse (utterances)")
    utterances, unstamped, inferred = build_utterances(reading.utterances)
    check_deadline("parse (sections)")
    sections = segment(utterances)
    check_deadline("parse (summary)")
    speakers = _speakers(utterances, inferred, reading.roles_inferred)
    return ParsedTranscript(
        format=resolved,
        utterances=utterances,
        sections=sections,
        detected_order=detected_order(sections),
        summary=build_summary(summary_text, utterances, sections),
        speakers=speakers,
        roles_inferred=reading.roles_inferred or bool(inferred),
        warnings=parse_warnings(utterances, speakers, unstamped),
    )


def _speakers(utterances: list[Utterance], inferred: set[str], monologue: bool) -> list[Speaker]:
    """Each speaker in order of first utterance, with its role and how the role was found."""
    counts = Counter(u.speaker for u in utterances)
    first = {u.speaker: u for u in reversed(utterances)}
    speakers = []
    for label in dict.fromkeys(u.speaker for u in utterances):
        source: RoleSource = ("preamble" if label == PREAMBLE_SPEAKER else "monologue" if monologue
                              else "inferred" if label in inferred else "label")
        speakers.append(Speaker(label=label, role=first[label].role, source=source, utterances=counts[label]))
    return speakers
