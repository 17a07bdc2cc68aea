"""The rubric contract.

A superset of the reference schema: reference-format files load unchanged (unknown keys are
kept, penalty rules may live only in the id, required summary elements may be bare strings).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

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


_ANCHOR = re.compile(ANCHOR_PATTERN)
_SECTION_BY_LOWER = {name.lower(): name for name in SECTION_NAMES}


def canonical_section(name: str) -> str | None:
    """Map a section name in any case ('summary', 'hpi') to its canonical spelling."""
    return _SECTION_BY_LOWER.get(name.strip().lower())


class _Open(BaseModel):
    """Rubric parts keep keys they do not know, so a reference file round-trips unchanged."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _Anchored(_Open):
    """An item cited by its anchor; without one, the anchor is ``<ANCHOR_PREFIX><id>``. The
    default is filled in *before* validation, so it is checked like a given anchor: what is
    validated is what is stored, and a stored rubric always loads again."""

    ITEM: ClassVar[str]
    ANCHOR_PREFIX: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _default_anchor(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("anchor") is not None or not isinstance(data.get("id"), str):
            return data
        anchor = f"{cls.ANCHOR_PREFIX}{data['id']}"
        if not _ANCHOR.fullmatch(anchor):
            suggestion = re.sub(r"[^A-Za-z0-9_.-]+", "_", data["id"]).strip("_.-")[:100] or "item_1"
            raise ValueError(
                f"the {cls.ITEM} id {data['id']!r} cannot be used in citations: without an 'anchor', a "
                f"{cls.ITEM} is cited as '{cls.ANCHOR_PREFIX}<id>', which may hold only letters, digits, "
                f"'_', '.' and '-' (no spaces; at most 128 characters). Use an id such as {suggestion!r}, "
                f"or give the {cls.ITEM} an 'anchor'."
            )
        return {**data, "anchor": anchor}


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


class Penalty(_Anchored):
    ITEM = "penalty"
    ANCHOR_PREFIX = "S."

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


class KeyQuestion(_Anchored):
    ITEM = "key question"
    ANCHOR_PREFIX = "Q."

    id: str = Field(min_length=1, max_length=128)
    anchor: Anchor | None = None
    label: str = Field(min_length=1)
    critical: bool = False
    phrases: list[str] = Field(default_factory=list)


class KeyQuestionsPolicy(_Open):
    critical_weight: float = Field(default=2.0, ge=0)
    noncritical_weight: float = Field(default=1.0, ge=0)
    coverage_threshold: float = Field(default=0.7, ge=0, le=1)


class ReasoningLink(_Anchored):
    ITEM = "reasoning link"
    ANCHOR_PREFIX = "R."

    id: str = Field(min_length=1, max_length=128)
    anchor: Anchor | None = None
    label: str | None = None
    pattern: str = Field(min_length=1, max_length=2000)
    major: bool = False


class ReasoningSpec(_Open):
    anchor: Anchor = "reasoning"
    required_links: list[ReasoningLink] = Field(default_factory=list)
    major_gap_penalty: float = Field(default=0.0, ge=0, le=1)


class SummaryElement(_Anchored):
    ITEM = "summary element"
    ANCHOR_PREFIX = "SUM."

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


class CommunicationBehaviour(_Anchored):
    ITEM = "communication behaviour"
    ANCHOR_PREFIX = "C."

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
    description: str | None = Field(default=None, description="What the rubric is for; the rubric-fit check reads it.")
    weights: Weights
    structure: StructureSpec = Field(default_factory=StructureSpec)
    key_questions: list[KeyQuestion] = Field(default_factory=list)
    key_questions_policy: KeyQuestionsPolicy = Field(default_factory=KeyQuestionsPolicy)
    reasoning: ReasoningSpec = Field(default_factory=ReasoningSpec)
    summary: SummarySpec = Field(default_factory=SummarySpec)
    communication: CommunicationSpec = Field(default_factory=CommunicationSpec)

    @model_validator(mode="after")
    def _unique_anchors(self) -> Rubric:
        """Every item has an anchor by now (see :class:`_Anchored`); no two may share one."""
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
