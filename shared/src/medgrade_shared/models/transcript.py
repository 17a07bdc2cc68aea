"""Parsed transcript contract: what document_parser returns and the scorers read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from medgrade_shared.models.vocabulary import TextFormat
from medgrade_shared.models.warnings import GradingWarning

Role = Literal["interviewer", "patient", "other"]
# How a speaker's role was found: read from its label, inferred from who asks the questions
# (or the only party left), the whole text taken as the student's monologue, or the lines
# before a document's first speaker label.
RoleSource = Literal["label", "inferred", "monologue", "preamble"]

MAX_TRANSCRIPT_SECONDS = 24 * 3600
"""The latest time an utterance may start or end: 24 hours, far past any consultation, and well
inside what a ``student://oral#HH:MM:SS`` citation can write (two-digit hours)."""


class Utterance(BaseModel):
    """One speaker's turn."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0, description="Position in the transcript, 0-based; unique.")
    speaker: str = Field(description="The speaker label as written in the transcript.")
    role: Role = Field(description="`interviewer` (the student), `patient` (or someone answering for them) or `other`.")
    text: str = Field(description="Displayed text, transcriber tags kept.")
    match_text: str = Field(description="Text used for matching: transcriber tags removed.")
    start: float | None = Field(default=None, ge=0, le=MAX_TRANSCRIPT_SECONDS, allow_inf_nan=False,
                                description="Seconds from the start, if the format has times.")
    end: float | None = Field(default=None, ge=0, le=MAX_TRANSCRIPT_SECONDS, allow_inf_nan=False,
                              description="Seconds; the next later utterance's start.")
    end_estimated: bool = Field(default=False, description="True when the end was estimated from speech rate.")
    dictated: bool = Field(default=False, description=(
        "True for an interviewer's note dictated about the patient (a preamble with name and date of birth, "
        "a closing assessment for the record, a command to a voice assistant): not said to the patient."))

    @property
    def addresses_patient(self) -> bool:
        """Said by the interviewer to the patient: the only utterances that can ask a key question."""
        return self.role == "interviewer" and not self.dictated


class Speaker(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str = Field(description="The speaker label as written in the transcript.")
    role: Role = Field(description="The role its utterances were given.")
    source: RoleSource = Field(description="How the role was found.")
    utterances: int = Field(ge=0, description="How many utterances this speaker has.")


class Section(BaseModel):
    """A run of utterances that takes one part of the history."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="`CC`, `HPI`, `ROS`, `PMH`, `MEDS`, `ALLERGIES`, `SH`, `FH` or `Summary`.")
    start_index: int = Field(ge=0, description="Index of its first utterance.")
    end_index: int = Field(ge=0, description="Index of its last utterance (inclusive).")


class SummaryText(BaseModel):
    """The summary the summary component scores."""

    text: str = Field(default="", description="The summary's words.")
    tokens: int = Field(default=0, ge=0, description="Its length in tokens, as `max_tokens` counts them.")
    source: Literal["summary_text", "transcript", "none"] = Field(default="none", description=(
        "Where it came from: the request's `summary_text`, the transcript's closing summary, or none found."))


class ParsedTranscript(BaseModel):
    """A transcript read into utterances, sections and a summary: what the scorers take."""

    format: str = Field(default="text", description="The format read: `text`, `vtt`, `srt`, `json`, `docx` or `pdf`.")
    utterances: list[Utterance] = Field(description="Every turn, in order.")
    sections: list[Section] = Field(default_factory=list, description="The history sections found, in order.")
    detected_order: list[str] = Field(default_factory=list, description=(
        "The section names in the order the interview took them; the structure score compares it to the rubric's."))
    summary: SummaryText = Field(default_factory=SummaryText, description="The summary to score.")
    speakers: list[Speaker] = Field(default_factory=list, description="Each speaker and the role it was given.")
    roles_inferred: bool = Field(default=False, description=(
        "True when some role was not read from a label but inferred (e.g. from who asks the questions)."))
    warnings: list[GradingWarning] = Field(default_factory=list, description=(
        "What the parse could not read well (e.g. lines without a time stamp); carried into the grading."))


class ParseRequest(BaseModel):
    """A transcript to parse."""

    text: str = Field(min_length=1, max_length=10_000_000, description=(
        "The transcript: plain text (`[MM:SS] Speaker: words` lines, times optional), WebVTT, SRT or JSON utterances."))
    format: TextFormat = Field(default="auto", description=(
        "The transcript's format; `auto` tells it from the text."))
    summary_text: str | None = Field(default=None, max_length=100_000, description=(
        "A written summary, scored instead of the summary found at the end of the transcript."))
