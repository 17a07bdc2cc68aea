"""The rubric contract.

A superset of the reference schema: reference-format files load unchanged (unknown keys are
kept, penalty rules may live only in the id, required summary elements may be bare strings).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

SECTION_NAMES: tuple[str, ...] = ("CC", "HPI", "ROS", "PMH", "MEDS", "ALLERGIES", "SH", "FH", "Summary")
COMPONENTS: tuple[str, ...] = ("structure", "key_questions", "reasoning", "summary", "communication")

# Pydantic checks these with Rust regexes, where ``$`` is the end of the text. Python's ``$`` also
# matches before a final newline: Python code checks them with ``re.fullmatch``.
RUBRIC_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$"
SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"
ANCHOR_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"

RubricId = Annotated[str, StringConstraints(pattern=RUBRIC_ID_PATTERN)]
SemVer = Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)]
Anchor = Annotated[str, StringConstraints(pattern=ANCHOR_PATTERN)]


def unanchored(pattern: str) -> str:
    """One of the patterns above without ``^`` and ``$``, to build a larger pattern from."""
    return pattern.removeprefix("^").removesuffix("$")


_SECTION_BY_LOWER = {name.lower(): name for name in SECTION_NAMES}


def canonical_section(name: str) -> str | None:
    """Map a section name in any case ('summary', 'hpi') to its canonical spelling."""
    return _SECTION_BY_LOWER.get(name.strip().lower())


class _Open(BaseModel):
    """Rubric parts keep keys they do not know, so a reference file round-trips unchanged."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Weights(_Open):
    structure: float = Field(default=0.0, ge=0)
    key_questions: float = Field(default=0.0, ge=0)
    reasoning: float = Field(default=0.0, ge=0)
    summary: float = Field(default=0.0, ge=0)
    communication: float = Field(default=0.0, ge=0)

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in COMPONENTS}


class PenaltyRule(_Open):
    """Machine-readable structure rule: exactly one of `missing` or `before`."""

    missing: str | None = None
    before: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> PenaltyRule:
        if (self.missing is None) == (self.before is None):
            raise ValueError("a penalty rule needs exactly one of 'missing' or 'before'")
        names = [self.missing] if self.missing is not None else list(self.before or ())
        canon = []
        for name in names:
            section = canonical_section(name)
            if section is None:
                raise ValueError(f"unknown section {name!r}; expected one of {', '.join(SECTION_NAMES)}")
            canon.append(section)
        if self.missing is not None:
            self.missing = canon[0]
        else:
            self.before = (canon[0], canon[1])
        return self


_MISSING_ID = re.compile(r"^missing_([a-z]+)$", re.IGNORECASE)
_SWAP_ID = re.compile(r"^swap_([a-z]+)_before_([a-z]+)$", re.IGNORECASE)


class Penalty(_Open):
    id: str
    anchor: Anchor | None = None
    value: float = Field(
        default=-0.1,
        le=0,
        validation_alias=AliasChoices("value", "penalty", "points", "delta"),
        description="Added to the structure score when the rule holds (zero or negative).",
    )
    rule: PenaltyRule | None = None
    message: str | None = None

    @model_validator(mode="after")
    def _rule_from_id(self) -> Penalty:
        """Understand the reference convention of encoding the rule in the id."""
        if self.rule is None:
            if m := _MISSING_ID.fullmatch(self.id):
                self.rule = PenaltyRule(missing=m.group(1))
            elif m := _SWAP_ID.fullmatch(self.id):
                self.rule = PenaltyRule(before=(m.group(1), m.group(2)))
            else:
                raise ValueError(
                    f"penalty {self.id!r} has no 'rule' and its id follows neither "
                    "'missing_<section>' nor 'swap_<a>_before_<b>'"
                )
        return self


class StructureSpec(_Open):
    anchor: Anchor = "structure"
    expected_order: list[str] = Field(default_factory=list)
    penalties: list[Penalty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _canonical_sections(self) -> StructureSpec:
        canon = []
        for name in self.expected_order:
            section = canonical_section(name)
            if section is None:
                raise ValueError(f"unknown section {name!r} in expected_order")
            canon.append(section)
        self.expected_order = canon
        return self


class KeyQuestion(_Open):
    id: str = Field(min_length=1, max_length=128)
    anchor: Anchor | None = None
    label: str = Field(min_length=1)
    critical: bool = False
    phrases: list[str] = Field(default_factory=list)


class KeyQuestionsPolicy(_Open):
    critical_weight: float = Field(default=2.0, ge=0)
    noncritical_weight: float = Field(default=1.0, ge=0)
    coverage_threshold: float = Field(default=0.7, ge=0, le=1)


class ReasoningLink(_Open):
    id: str = Field(min_length=1, max_length=128)
    anchor: Anchor | None = None
    label: str | None = None
    pattern: str = Field(min_length=1, max_length=2000)
    major: bool = False


class ReasoningSpec(_Open):
    anchor: Anchor = "reasoning"
    required_links: list[ReasoningLink] = Field(default_factory=list)
    major_gap_penalty: float = Field(default=0.0, ge=0, le=1)


class SummaryElement(_Open):
    id: str = Field(min_length=1, max_length=128)
    anchor: Anchor | None = None
    label: str | None = None
    patterns: list[str] = Field(default_factory=list)


class SummarySpec(_Open):
    anchor: Anchor = "summary"
    max_tokens: int = Field(default=150, gt=0)
    overflow_divisor: float = Field(default=50.0, gt=0)
    required_elements: list[SummaryElement] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_string_elements(cls, data: object) -> object:
        """Reference rubrics may list elements as plain words: 'age' means a pattern 'age'."""
        if isinstance(data, dict) and isinstance(data.get("required_elements"), list):
            data = dict(data)
            data["required_elements"] = [
                {"id": re.sub(r"[^a-z0-9]+", "_", e.lower()).strip("_") or "element", "label": e, "patterns": [e]}
                if isinstance(e, str)
                else e
                for e in data["required_elements"]
            ]
        return data


class CommunicationBehaviour(_Open):
    id: str = Field(min_length=1, max_length=128)
    anchor: Anchor | None = None
    label: str = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)


class CommunicationSpec(_Open):
    anchor: Anchor = "communication"
    behaviours: list[CommunicationBehaviour] = Field(default_factory=list)


class Rubric(_Open):
    rubric_id: RubricId
    version: SemVer = "1.0.0"
    status: Literal["draft", "approved", "archived"] = "draft"
    title: str | None = None
    weights: Weights
    structure: StructureSpec = Field(default_factory=StructureSpec)
    key_questions: list[KeyQuestion] = Field(default_factory=list)
    key_questions_policy: KeyQuestionsPolicy = Field(default_factory=KeyQuestionsPolicy)
    reasoning: ReasoningSpec = Field(default_factory=ReasoningSpec)
    summary: SummarySpec = Field(default_factory=SummarySpec)
    communication: CommunicationSpec = Field(default_factory=CommunicationSpec)

    @model_validator(mode="after")
    def _default_and_unique_anchors(self) -> Rubric:
        """Give every item an anchor (reference files may omit them) and refuse duplicates."""
        for q in self.key_questions:
            q.anchor = q.anchor or f"Q.{q.id}"
        for p in self.structure.penalties:
            p.anchor = p.anchor or f"S.{p.id}"
        for link in self.reasoning.required_links:
            link.anchor = link.anchor or f"R.{link.id}"
        for e in self.summary.required_elements:
            e.anchor = e.anchor or f"SUM.{e.id}"
        for b in self.communication.behaviours:
            b.anchor = b.anchor or f"C.{b.id}"
        seen: set[str] = set()
        for anchor in self.all_anchors_list():
            if anchor in seen:
                raise ValueError(f"anchor {anchor!r} is used twice; every anchor must be unique")
            seen.add(anchor)
        return self

    def all_anchors_list(self) -> list[str]:
        anchors = [self.structure.anchor, self.reasoning.anchor, self.summary.anchor, self.communication.anchor]
        anchors += [p.anchor for p in self.structure.penalties if p.anchor]
        anchors += [q.anchor for q in self.key_questions if q.anchor]
        anchors += [link.anchor for link in self.reasoning.required_links if link.anchor]
        anchors += [e.anchor for e in self.summary.required_elements if e.anchor]
        anchors += [b.anchor for b in self.communication.behaviours if b.anchor]
        return anchors

    def anchors(self) -> frozenset[str]:
        return frozenset(self.all_anchors_list())
