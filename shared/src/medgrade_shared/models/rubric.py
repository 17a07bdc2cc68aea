"""The rubric contract.

A superset of the reference schema: reference-format files load unchanged (unknown keys are
kept, penalty rules may live only in the id, required summary elements may be bare strings).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)

from medgrade_shared.models.components import COMPONENT_TABLE
from medgrade_shared.models.vocabulary import COMPONENTS, SECTION_NAMES, ComponentName

SubmissionKind = Literal["interview", "presentation"]
SUBMISSION_KINDS: tuple[SubmissionKind, ...] = ("interview", "presentation")
"""An ``interview``: the student asks a patient, only the interviewer's words count. A
``presentation``: an oral case presentation, the student reports the history (pertinent
negatives included) to a senior; a key question is covered when it is stated."""

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


def _anchor_field(prefix: str) -> Any:
    return Field(default=None, description=f"Cited as `rubric://<rubric_id>#<anchor>`; default `{prefix}<id>`.")


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


class _Weights(_Open):
    """Each component's weight in `overall`; a component weighing 0 is not scored."""

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in COMPONENTS}


# A field per component of the table, in its order, made at import; the type checker, which cannot
# read fields made at run time, sees the base class (code reads the weights through ``as_dict``).
if TYPE_CHECKING:
    Weights = _Weights
else:
    Weights = create_model("Weights", __base__=_Weights, __doc__=_Weights.__doc__, **{
        name: (float, Field(default=0.0, ge=0, description=component.weight))
        for name, component in COMPONENT_TABLE.items()})


class PenaltyRule(_Open):
    """Machine-readable structure rule: exactly one of `missing` or `before`."""

    missing: str | None = Field(default=None, description="A section (e.g. `ROS`): fires when it was not detected.")
    before: tuple[str, str] | None = Field(default=None, description=(
        "Two sections `[A, B]`: fires when both were detected and A came before B."))

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

    id: str = Field(description=(
        "Unique among the penalties; without a `rule`, `missing_<section>` or `swap_<a>_before_<b>` is the rule."))
    anchor: Anchor | None = _anchor_field(ANCHOR_PREFIX)
    value: float = Field(
        default=-0.1,
        le=0,
        validation_alias=AliasChoices("value", "penalty", "points", "delta"),
        description="Added to the structure score when the rule holds (zero or negative).",
    )
    rule: PenaltyRule | None = Field(default=None, description="When the penalty fires.")
    message: str | None = Field(default=None, description=(
        "The feedback when it fires; default: which section is missing or out of order."))

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
    """Structure = clamp(LCS(detected, expected) / |expected| + Σ fired penalties, 0, 1)."""

    anchor: Anchor = Field(default="structure", description="Cited by the feedback on the section order.")
    expected_order: list[str] = Field(default_factory=list, description=(
        "The sections in the order expected, from `CC`, `HPI`, `ROS`, `PMH`, `MEDS`, `ALLERGIES`, `SH`, `FH`, "
        "`Summary` (any case)."))
    penalties: list[Penalty] = Field(default_factory=list, description="Deductions for missing or swapped sections.")

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

    id: str = Field(min_length=1, max_length=128, description="Unique among the key questions, e.g. `onset_time`.")
    anchor: Anchor | None = _anchor_field(ANCHOR_PREFIX)
    label: str = Field(min_length=1, description=(
        "What the question is about, for the feedback (\"Asked about <label>\"); the matcher reads it too."))
    critical: bool = Field(default=False, description=(
        "Weighs `critical_weight` instead of `noncritical_weight`; missing it is a `critical` violation."))
    phrases: list[str] = Field(default_factory=list, description=(
        "Ways a student may ask it, e.g. \"when did this start\"; found word for word they ask it on their own."))


class KeyQuestionsPolicy(_Open):
    """Key questions = Σ weight(asked) / Σ weight(all)."""

    critical_weight: float = Field(default=2.0, ge=0, description="Weight of a critical question.")
    noncritical_weight: float = Field(default=1.0, ge=0, description="Weight of any other question.")
    coverage_threshold: float = Field(default=0.7, ge=0, le=1, description=(
        "The share of questions (by weight) a student should ask; the result's `meets_threshold` compares "
        "against it. It does not change the score."))


class ReasoningLink(_Anchored):
    ITEM = "reasoning link"
    ANCHOR_PREFIX = "R."

    id: str = Field(min_length=1, max_length=128, description="Unique among the links, e.g. `thrombolysis_window`.")
    anchor: Anchor | None = _anchor_field(ANCHOR_PREFIX)
    label: str | None = Field(default=None, description="What the link is, for the feedback.")
    pattern: str = Field(min_length=1, max_length=2000, description=(
        "A regular expression (RE2, case-insensitive) the student's own sentence (or two in one turn) must match."))
    major: bool = Field(default=False, description="Missing it also costs `major_gap_penalty`.")


class ReasoningSpec(_Open):
    """Reasoning = links found / links required - `major_gap_penalty` per missing major link."""

    anchor: Anchor = Field(default="reasoning", description="Cited by feedback on reasoning as a whole.")
    required_links: list[ReasoningLink] = Field(default_factory=list, description=(
        "Clinical links the student should state, e.g. onset time to the thrombolysis window."))
    major_gap_penalty: float = Field(default=0.0, ge=0, le=1, description="Deducted for each missing major link.")


class SummaryElement(_Anchored):
    ITEM = "summary element"
    ANCHOR_PREFIX = "SUM."

    id: str = Field(min_length=1, max_length=128, description="Unique among the elements, e.g. `age`.")
    anchor: Anchor | None = _anchor_field(ANCHOR_PREFIX)
    label: str | None = Field(default=None, description="What the element is, for the feedback.")
    patterns: list[str] = Field(default_factory=list, description=(
        "Regular expressions (RE2, case-insensitive); the summary includes the element when one matches."))


class SummarySpec(_Open):
    """Summary = 0.5 · max(0, 1 - overflow / `overflow_divisor`) + 0.5 · elements found / elements required;
    overflow is the number of tokens past `max_tokens`."""

    anchor: Anchor = Field(default="summary", description="Cited by feedback on the summary as a whole.")
    max_tokens: int = Field(default=150, gt=0, description="The longest summary, in tokens, that costs nothing.")
    overflow_divisor: float = Field(default=50.0, gt=0, description=(
        "Tokens past `max_tokens` that take the length half of the score to 0."))
    required_elements: list[SummaryElement] = Field(default_factory=list, description=(
        "What the summary should include; a plain string `\"age\"` stands for an element with that pattern."))

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

    id: str = Field(min_length=1, max_length=128, description="Unique among the behaviours, e.g. `introduces_self`.")
    anchor: Anchor | None = _anchor_field(ANCHOR_PREFIX)
    label: str = Field(min_length=1, description="The behaviour, for the feedback (\"Showed: <label>\").")
    phrases: list[str] = Field(default_factory=list, description=(
        "Words that show it in the interviewer's lines, e.g. \"my name is\"."))


class CommunicationSpec(_Open):
    """Communication = behaviours observed / behaviours defined, those of the submission's kind."""

    anchor: Anchor = Field(default="communication", description="Cited by feedback on communication as a whole.")
    behaviours: list[CommunicationBehaviour] = Field(default_factory=list, description=(
        "What the student should show in an interview."))
    presentation_behaviours: list[CommunicationBehaviour] = Field(default_factory=list, description=(
        "What the student should show in an oral case presentation (e.g. opens with a one-line problem statement, "
        "states pertinent negatives, ends with a summary and an assessment). Without any, communication is not "
        "scored for a presentation."))

    def for_kind(self, kind: SubmissionKind) -> list[CommunicationBehaviour]:
        return self.presentation_behaviours if kind == "presentation" else self.behaviours


RUBRIC_IDENTITY = ("rubric_id", "version", "status", "title", "description", "weights", "kinds")
"""What every component's scorer gets of a rubric, besides its own part: what the rubric is, its
weights (the checks that scoring applies) and the kinds it grades."""

class Rubric(_Open):
    """One version of a rubric: what a history-taking is graded on. Unknown keys are kept."""

    rubric_id: RubricId = Field(description="Lower-case id: letters, digits, `_` and `-`, e.g. `stroke_v1`.")
    version: SemVer = Field(default="1.0.0", description="Semantic version; a stored version never changes.")
    status: Literal["draft", "approved", "archived"] = Field(default="draft", description=(
        "`approved` versions passed the QA gate and are graded against by default; `archived` ones only by version."))
    title: str | None = Field(default=None, description=(
        "A title for people, naming the complaint (\"Ankle or foot pain\"); the rubric-fit check and the "
        "key-question matcher read it."))
    description: str | None = Field(default=None, description="What the rubric is for; the rubric-fit check reads it.")
    weights: Weights = Field(description="Each component's weight in `overall`.")
    structure: StructureSpec = Field(default_factory=StructureSpec, description="The expected section order.")
    key_questions: list[KeyQuestion] = Field(default_factory=list, description="The questions the student should ask.")
    key_questions_policy: KeyQuestionsPolicy = Field(default_factory=KeyQuestionsPolicy, description=(
        "How the key questions are weighed."))
    reasoning: ReasoningSpec = Field(default_factory=ReasoningSpec, description="The clinical links to state.")
    summary: SummarySpec = Field(default_factory=SummarySpec, description="What the closing summary should hold.")
    communication: CommunicationSpec = Field(default_factory=CommunicationSpec, description=(
        "The communication behaviours to show."))
    kinds: list[SubmissionKind] = Field(default_factory=lambda: list(SUBMISSION_KINDS), min_length=1, description=(
        "The kinds of submission it grades: `interview`, `presentation` or both (the default)."))

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
        anchors += [b.anchor for b in self.communication.presentation_behaviours if b.anchor]
        return anchors

    def anchors(self) -> frozenset[str]:
        return frozenset(self.all_anchors_list())

    def component_json(self, component: ComponentName) -> str:
        """This version as ``component``'s scorer reads it: :data:`RUBRIC_IDENTITY` and the
        component's ``rubric_parts`` (:data:`~medgrade_shared.models.components.COMPONENT_TABLE`),
        the other parts left at their (empty) defaults."""
        return self.model_dump_json(include={*RUBRIC_IDENTITY, *COMPONENT_TABLE[component].rubric_parts})
