"""The HTML report of a grading (``GET /gradings/{id}/report``): the view model and its rendering.

:func:`build_report` turns the stored grading document, its parsed transcript (None for
gradings stored before transcripts were kept) and the rubric version (None when
rubric_management could not be asked; items then go by their ids) into a :class:`Report` of
plain values: percentages a teacher reads, labels, and citations already resolved to the
anchors of the page (``#u12`` is utterance 12 of the transcript). :func:`render_report` fills
``templates/report.html.j2`` with it.

The page is self-contained and needs no script. Transcript text and rubric strings are
untrusted, so Jinja2 autoescapes everything; the one stylesheet is static and inlined, and
:data:`CONTENT_SECURITY_POLICY` allows exactly that stylesheet by its hash and nothing else
(no style attributes either: a bar's width is one of the ``w0`` … ``w100`` classes).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from medgrade_shared.citations import format_timestamp, utterance_citation
from medgrade_shared.models.components import COMPONENT_TABLE
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.models.vocabulary import COMPONENTS

COMPONENT_LABELS = {name: component.label for name, component in COMPONENT_TABLE.items()}
SEVERITY_ORDER = ("critical", "major", "minor", "info")
ENGINE_LABELS = {"orchestrator": "Orchestrator", "matcher": "Key-question matcher",
                 "matcher_version": "Matcher version", "model": "Embedding model", "model_version": "Model version",
                 "decision_model": "Decision model"}
# A warning about many lines (a monologue: every line) links the first few.
MAX_WARNING_LINKS = 12
TEACHER = "changed by teacher"  # the flag of an item a teacher's review overrode
_ORAL_SPAN = re.compile(r"student://oral#(?P<start>[\d:]+)-(?P<end>[\d:]+)")
_ORAL_UTTERANCE = re.compile(r"student://oral#utt=(?P<index>\d+)")
_SUMMARY = re.compile(r"student://summary#tokens=(?P<tokens>\d+)")
_RUBRIC = re.compile(r"rubric://[^#]+#(?P<anchor>.+)")


@dataclass(frozen=True, slots=True)
class Cited:
    """A citation as the page shows it: ``text`` for people, ``href`` a fragment of the page
    (``#u12``, ``#summary``) or None when the page does not hold what it cites."""

    text: str
    href: str | None


@dataclass(frozen=True, slots=True)
class Score:
    label: str
    percent: int
    weight_percent: int | None  # None for the overall score
    points: float | None  # its share of the overall score, in percentage points


@dataclass(frozen=True, slots=True)
class Check:
    """One row of a checklist: a key question, a reasoning link, a summary element, a behaviour."""

    label: str
    done: bool
    verdict: str  # "asked", "not asked", "stated", ...
    flags: tuple[str, ...]  # "critical", "major", "close to the threshold"
    note: str | None
    confidence: int | None  # percent; key questions only
    citation: Cited | None


@dataclass(frozen=True, slots=True)
class Checklist:
    id: str  # the element id of its section
    title: str
    rows: tuple[Check, ...]
    with_confidence: bool


@dataclass(frozen=True, slots=True)
class Feedback:
    severity: str
    kind: str
    component: str
    message: str
    anchors: tuple[str, ...]  # the rubric anchors it cites
    citations: tuple[Cited, ...]  # the student's words it cites


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning of the grading, with links to the lines it concerns."""

    code: str
    message: str
    needs_review: bool
    lines: tuple[Cited, ...]
    more_lines: int


@dataclass(frozen=True, slots=True)
class Line:
    """One utterance of the transcript, the element ``id`` citations scroll to."""

    id: str
    number: int  # 1-based, for people
    time: str | None
    speaker: str
    role: str
    role_note: str | None  # the role, where the speaker label does not say it already
    text: str
    cited: bool
    cited_for: tuple[str, ...]  # the checklist items that cite it
    dictated: bool
    section: str | None  # the section that starts here


@dataclass(frozen=True, slots=True)
class SummaryView:
    text: str
    tokens: int
    source: str  # for people: where the summary came from


@dataclass(frozen=True, slots=True)
class TeacherReview:
    """The review that made the revision shown: who, when, why and what changed."""

    revision: int
    reviewer: str
    reviewed_at: str
    reason: str
    changes: tuple[str, ...]  # one line per override, for people
    revisions: int  # how many revisions there are in all, the machine's included


@dataclass(frozen=True, slots=True)
class Report:
    grading_id: str
    student_id: str
    created_at: str
    rubric_id: str
    rubric_version: str
    rubric_title: str | None
    rubric_loaded: bool
    needs_review: bool
    warnings: tuple[Notice, ...]
    overall: Score
    components: tuple[Score, ...]
    expected_order: tuple[str, ...] | None
    detected_order: tuple[str, ...]
    checklists: tuple[Checklist, ...]
    feedback: tuple[Feedback, ...]
    summary: SummaryView | None
    transcript: tuple[Line, ...] | None
    engine: tuple[tuple[str, str], ...]
    teacher_review: TeacherReview | None = None


def percent(value: float) -> int:
    """0.736842 → 74: a score as the whole percent a teacher reads (and a bar's width class)."""
    return max(0, min(100, int(value * 100 + 0.5)))


class _Citations:
    """Resolves student citations to the page's anchors and remembers which lines were cited."""

    def __init__(self, transcript: ParsedTranscript | None) -> None:
        self.transcript = transcript
        self.cited: dict[int, list[str]] = {}  # utterance → the items citing it
        # An oral span names the utterance it was made from (scoring cites utterance_citation).
        self._by_span: dict[str, int] = {}
        for utterance in transcript.utterances if transcript else ():
            self._by_span.setdefault(utterance_citation(utterance.index, utterance.start, utterance.end),
                                     utterance.index)
        self.has_summary = bool(transcript and transcript.summary.source != "none")

    def line(self, index: int, text: str | None = None, *, mark: bool = True, item: str | None = None) -> Cited:
        """A link to utterance ``index``. ``mark`` highlights it in the transcript as cited,
        ``item`` names what it is cited for there."""
        if self.transcript is None or not 0 <= index < len(self.transcript.utterances):
            return Cited(text or f"line {index + 1}", None)
        if mark:
            items = self.cited.setdefault(index, [])
            if item and item not in items:
                items.append(item)
        return Cited(text or f"line {index + 1}", f"#u{index}")

    def student(self, uri: str, index: int | None = None, item: str | None = None) -> Cited | None:
        """A ``student://`` citation; ``index`` is the utterance it came from, when known."""
        if m := _ORAL_SPAN.fullmatch(uri):
            text = f"{m['start']}-{m['end']}"
            found = index if index is not None else self._by_span.get(uri)
            return self.line(found, text, item=item) if found is not None else Cited(text, None)
        if m := _ORAL_UTTERANCE.fullmatch(uri):
            return self.line(int(m["index"]), item=item)
        if m := _SUMMARY.fullmatch(uri):
            return self.summary(int(m["tokens"]))
        return None

    def summary(self, tokens: int) -> Cited:
        return Cited(f"summary ({tokens} tokens)", "#summary" if self.has_summary else None)


def _labels(rubric: dict[str, Any] | None) -> dict[tuple[str, str], str]:
    """(component, id) → label of the rubric's links and summary elements (their details carry ids only)."""
    if rubric is None:
        return {}
    items = [("reasoning", item) for item in rubric.get("reasoning", {}).get("required_links", [])]
    items += [("summary", item) for item in rubric.get("summary", {}).get("required_elements", [])]
    return {(component, item["id"]): item.get("label") or item["id"] for component, item in items}


def _key_questions(details: dict[str, Any], cite: _Citations) -> Checklist:
    # a presentation reports what an interview asks
    covered, missed = ("reported", "not reported") if details.get("kind") == "presentation" else ("asked", "not asked")
    rows = []
    for q in details.get("questions", []):
        flags = ("critical",) if q.get("critical") else ()
        flags += ("close to the threshold",) if q.get("uncertain") else ()
        flags += (TEACHER,) if q.get("overridden_by_teacher") else ()
        citation = cite.student(q["citation"], q.get("utterance_index"), q["label"]) if q.get("citation") else None
        note = f"matched “{q['matched_phrase']}”" if q.get("matched_phrase") else None
        rows.append(Check(q["label"], bool(q["asked"]), covered if q["asked"] else missed, flags, note,
                          percent(q["confidence"]) if q.get("confidence") is not None else None, citation))
    return Checklist("key-questions", "Key questions", tuple(rows), with_confidence=True)


def _reasoning(details: dict[str, Any], labels: dict[tuple[str, str], str], cite: _Citations) -> Checklist:
    rows = []
    for link in details.get("links", []):
        label = labels.get(("reasoning", link["id"]), link["id"])
        citation = cite.student(link["citation"], link.get("utterance_index"), label) if link.get("citation") else None
        rows.append(Check(label, bool(link["detected"]), "stated" if link["detected"] else "not stated",
                          ("major",) * bool(link.get("major")) + (TEACHER,) * bool(link.get("overridden_by_teacher")),
                          None, None, citation))
    return Checklist("reasoning", "Clinical reasoning links", tuple(rows), with_confidence=False)


def _summary_elements(details: dict[str, Any], labels: dict[tuple[str, str], str], cite: _Citations) -> Checklist:
    matched = set(details.get("matched", []))
    summary = cite.summary(details.get("tokens", 0))
    rows = []
    for element in details.get("required", []):
        count = details.get("counts", {}).get(element, {})
        note = f"{count['found']} of {count['required']} needed" if count else None
        rows.append(Check(labels.get(("summary", element), element), element in matched,
                          "included" if element in matched else "missing",
                          (TEACHER,) if element in details.get("overridden_by_teacher", []) else (), note, None,
                          summary if element in matched else None))
    return Checklist("summary-elements", "Summary elements", tuple(rows), with_confidence=False)


def _communication(details: dict[str, Any], cite: _Citations) -> Checklist:
    rows = tuple(
        Check(b["label"], bool(b["observed"]), "shown" if b["observed"] else "not shown", (), None, None,
              cite.student(b["citation"], b.get("utterance_index"), b["label"]) if b.get("citation") else None)
        for b in details.get("behaviours", []))
    return Checklist("communication", "Communication", rows, with_confidence=False)


def _feedback(items: list[dict[str, Any]], cite: _Citations) -> tuple[Feedback, ...]:
    """Most severe first; within a severity what was missed before what went well, else as scored."""
    ordered = sorted(items, key=lambda f: (SEVERITY_ORDER.index(f.get("severity", "info")), f["kind"] != "violation"))
    entries = []
    for item in ordered:
        anchors = tuple(m["anchor"] for c in item["citations"] if (m := _RUBRIC.fullmatch(c)))
        cited = tuple(c for uri in item["citations"] if (c := cite.student(uri)) is not None)
        entries.append(Feedback(item.get("severity", "info"), item["kind"],
                                COMPONENT_LABELS.get(item["component"], item["component"]), item["message"],
                                anchors, cited))
    return tuple(entries)


def _warnings(result: dict[str, Any], cite: _Citations) -> tuple[Notice, ...]:
    reasons = set(result.get("review_reasons", []))
    return tuple(
        Notice(w["code"], w["message"], w["code"] in reasons,
                tuple(cite.line(i, mark=False) for i in w.get("utterances", [])[:MAX_WARNING_LINKS]),
                max(0, len(w.get("utterances", [])) - MAX_WARNING_LINKS))
        for w in result.get("warnings", []))


def _time(start: float | None) -> str | None:
    return format_timestamp(start) if start is not None else None


def _transcript(transcript: ParsedTranscript | None, cited: dict[int, list[str]]) -> tuple[Line, ...] | None:
    if transcript is None:
        return None
    starts = {section.start_index: section.name for section in transcript.sections}
    return tuple(Line(f"u{u.index}", u.index + 1, _time(u.start), u.speaker, u.role,
                      None if u.speaker.strip().lower() == u.role else u.role, u.text, u.index in cited,
                      tuple(cited.get(u.index, ())), u.dictated, starts.get(u.index))
                 for u in transcript.utterances)


_SUMMARY_SOURCES = {"summary_text": "the student's written summary",
                    "transcript": "the closing summary found in the transcript"}


def _engine(result: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    engine = dict(result.get("engine", {}))
    # The decision model's digest is in the key-question details (the engine block does not repeat it).
    decision = result.get("details", {}).get("key_questions", {}).get("details", {}).get("decision_model")
    if decision and "decision_model" not in engine:
        engine["decision_model"] = str(decision)
    return tuple((ENGINE_LABELS.get(name, name), str(value)) for name, value in engine.items())


def _change(change: dict[str, Any], labels: dict[tuple[str, str], str], result: dict[str, Any]) -> str:
    """One override for people: "Key question Onset: not asked → asked (line 5)"."""
    before, after = change["before"], change["after"]
    if change["kind"] == "component":
        label = COMPONENT_LABELS.get(change["id"], change["id"])
        return f"{label} score: {percent(before['score'])}% → {percent(after['score'])}%"
    if change["kind"] == "key_question":
        questions = result.get("details", {}).get("key_questions", {}).get("details", {}).get("questions", [])
        label = next((q["label"] for q in questions if q["id"] == change["id"]), change["id"])
        line = f" (line {after['utterance_index'] + 1})" if after.get("utterance_index") is not None else ""
        return (f"Key question {label}: {'asked' if before['asked'] else 'not asked'} → "
                f"{'asked' if after['asked'] else 'not asked'}{line}")
    if change["kind"] == "reasoning_link":
        label = labels.get(("reasoning", change["id"]), change["id"])
        return f"Reasoning link {label}: {'stated' if before['stated'] else 'not stated'} → " + (
            "stated" if after["stated"] else "not stated")
    label = labels.get(("summary", change["id"]), change["id"])
    return f"Summary element {label}: {'included' if before['present'] else 'missing'} → " + (
        "included" if after["present"] else "missing")


def _teacher_review(result: dict[str, Any], labels: dict[tuple[str, str], str]) -> TeacherReview | None:
    review = result.get("review")
    if not review:
        return None
    return TeacherReview(review["revision"], review["reviewer"], _created(review["reviewed_at"]), review["reason"],
                         tuple(_change(c, labels, result) for c in review["changes"]),
                         len(result.get("revisions") or []))


def _created(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp


def build_report(result: dict[str, Any], transcript: ParsedTranscript | None,
                 rubric: dict[str, Any] | None) -> Report:
    """The report of the grading document ``result`` (as stored, so older documents too)."""
    cite = _Citations(transcript)
    labels = _labels(rubric)
    details = {name: component.get("details", {}) for name, component in result.get("details", {}).items()}
    breakdown = result.get("breakdown", {})
    components = tuple(
        Score(COMPONENT_LABELS[name], percent(breakdown[name]["score"]), percent(breakdown[name]["weight"]),
              round(breakdown[name]["weighted"] * 100, 1))
        for name in COMPONENTS if name in breakdown)
    checklists = []
    if "key_questions" in details:
        checklists.append(_key_questions(details["key_questions"], cite))
    if "reasoning" in details:
        checklists.append(_reasoning(details["reasoning"], labels, cite))
    if "summary" in details:
        checklists.append(_summary_elements(details["summary"], labels, cite))
    if "communication" in details:
        checklists.append(_communication(details["communication"], cite))
    structure = details.get("structure")
    summary = None
    if transcript is not None and transcript.summary.source != "none":
        summary = SummaryView(transcript.summary.text, transcript.summary.tokens,
                              _SUMMARY_SOURCES.get(transcript.summary.source, transcript.summary.source))
    warnings = _warnings(result, cite)
    feedback = _feedback(result.get("feedback", []), cite)
    return Report(
        grading_id=result["grading_id"], student_id=result["student_id"], created_at=_created(result["created_at"]),
        rubric_id=result["rubric_id"], rubric_version=result["rubric_version"],
        rubric_title=(rubric or {}).get("title"), rubric_loaded=rubric is not None,
        needs_review=bool(result.get("needs_review")), warnings=warnings,
        overall=Score("Overall", percent(result["overall"]), None, None), components=components,
        expected_order=tuple(structure["expected"]) if structure and "expected" in structure else None,
        detected_order=tuple(result.get("detected_order", [])),
        checklists=tuple(checklists), feedback=feedback, summary=summary,
        transcript=_transcript(transcript, cite.cited), engine=_engine(result),
        teacher_review=_teacher_review(result, labels))


def _stylesheet() -> str:
    widths = "".join(f".w{p}{{width:{p}%}}" for p in range(101))
    return (files("grading_orchestrator") / "templates" / "report.css").read_text(encoding="utf-8") + widths + "\n"


_STYLESHEET = _stylesheet()
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLESHEET.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
                           "form-action 'none'; frame-ancestors 'none'")
"""Only the page's own stylesheet applies; no script, image, font, frame or request of any kind."""

_ENVIRONMENT = Environment(loader=PackageLoader("grading_orchestrator", "templates"), autoescape=True,
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_report(report: Report) -> str:
    return _ENVIRONMENT.get_template("report.html.j2").render(report=report, stylesheet=Markup(_STYLESHEET))

