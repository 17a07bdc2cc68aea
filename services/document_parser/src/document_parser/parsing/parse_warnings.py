"""What a parse warns the grader about: each a code, a sentence for a teacher, and the
utterances concerned. The grading result carries them, and they decide whether a grade
needs a teacher's review before it is released."""

from __future__ import annotations

from medgrade_shared.models.transcript import Speaker, Utterance
from medgrade_shared.models.warnings import GradingWarning
from medgrade_shared.questions import asks

# Fewer interviewer utterances than this to the patient is too little to grade a history on.
MIN_INTERVIEWER_UTTERANCES = 5


def parse_warnings(utterances: list[Utterance], speakers: list[Speaker], unstamped: int) -> list[GradingWarning]:
    warnings = []
    sources = {s.source for s in speakers}
    if "monologue" in sources:
        warnings.append(GradingWarning(
            code="monologue", message="No speaker labels were found: the whole transcript is read as the student "
                                      "speaking, so the patient's words are graded as the student's."))
    inferred = [s.label for s in speakers if s.source == "inferred"]
    if inferred:
        warnings.append(_about_speakers(
            "roles_inferred", inferred, utterances,
            "had no label naming a role: the role was inferred (from who asks the questions, or as the party "
            "answering a named interviewer)."))
    unknown = [s.label for s in speakers if s.role == "other" and s.source == "label"]
    if unknown:
        warnings.append(_about_speakers(
            "speakers_not_recognised", unknown, utterances,
            "are neither the interviewer nor the patient's side: their words are not graded."))
    if unstamped:
        warnings.append(GradingWarning(
            code="unstamped_utterances",
            message=f"{unstamped} utterance(s) had no time stamp; each starts when the one before it did.",
            utterances=[u.index for u in utterances if u.start is None]))
    if not any(u.role == "interviewer" for u in utterances):
        warnings.append(GradingWarning(
            code="no_interviewer", message="No interviewer was recognised among the speakers; sections use all "
                                           "non-patient speech."))
    addressed = [u for u in utterances if u.addresses_patient]
    if addressed and not any(asks(u.match_text) for u in addressed) and "monologue" not in sources:
        warnings.append(GradingWarning(
            code="no_interviewer_questions", message="The interviewer asks the patient no question in the transcript."))
    if any(u.role == "patient" for u in utterances) and len(addressed) < MIN_INTERVIEWER_UTTERANCES:
        warnings.append(GradingWarning(
            code="short_transcript",
            message=f"The interviewer says only {len(addressed)} thing(s) to the patient: too little to grade a "
                    "history reliably."))
    return warnings


def _about_speakers(code: str, labels: list[str], utterances: list[Utterance], says: str) -> GradingWarning:
    """A warning about some speakers, naming them and pointing at their utterances."""
    return GradingWarning(code=code, message=f"Speaker(s) {', '.join(repr(label) for label in labels)} {says}",
                          utterances=[u.index for u in utterances if u.speaker in labels])
