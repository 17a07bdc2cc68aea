"""The scored components, one entry each: what a rubric weighs, what its scorer reads, what it
assesses and how a teacher reads its name. The rubric's weights, the request each scorer gets,
the rubric checks and the report's names are read from :data:`COMPONENT_TABLE`; the scoring
service's table adds each component's scorer and route. Adding a component is its name in
:data:`~medgrade_shared.models.vocabulary.ComponentName`, an entry here and a scorer there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from medgrade_shared.models.vocabulary import COMPONENTS, ComponentName

if TYPE_CHECKING:
    from medgrade_shared.models.rubric import Rubric


@dataclass(frozen=True)
class Component:
    label: str
    """Its name for a teacher, in the report."""
    weight: str
    """The description of its weight in the rubric's ``weights``."""
    rubric_parts: tuple[str, ...]
    """The rubric fields its scorer reads; a grading sends it only these."""
    items: tuple[str, ...]
    """The path, in the rubric, of the list it assesses: empty, there is nothing to score."""
    items_named: str
    """What that list is, in a rubric author's words."""

    def assessed(self, rubric: Rubric) -> list[object]:
        value: object = rubric
        for name in self.items:
            value = getattr(value, name)
        if not isinstance(value, list):
            raise TypeError(f"rubric.{'.'.join(self.items)} is not a list")
        return value

    @property
    def missing(self) -> str:
        """What an empty one lacks, naming the field: "key questions (key_questions)"."""
        return f"{self.items_named} ({'.'.join(self.items)})"


COMPONENT_TABLE: dict[ComponentName, Component] = {
    "structure": Component("Structure", "Weight of the section order.", ("structure",),
                           ("structure", "expected_order"), "expected sections"),
    "key_questions": Component("Key questions", "Weight of the key questions asked.",
                               ("key_questions", "key_questions_policy"), ("key_questions",), "key questions"),
    "reasoning": Component("Clinical reasoning", "Weight of the reasoning links stated.", ("reasoning",),
                           ("reasoning", "required_links"), "reasoning links"),
    "summary": Component("Summary", "Weight of the closing summary.", ("summary",),
                         ("summary", "required_elements"), "required summary elements"),
    "communication": Component("Communication", "Weight of the communication behaviours shown.", ("communication",),
                               ("communication", "behaviours"), "communication behaviours"),
}
if tuple(COMPONENT_TABLE) != COMPONENTS:  # the Literal is the name list the type checker reads
    raise ImportError(f"COMPONENT_TABLE lists {tuple(COMPONENT_TABLE)}, ComponentName {COMPONENTS}")
