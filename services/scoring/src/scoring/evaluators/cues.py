"""Lexical cues of what an interviewer sentence does, used beside the embeddings.

All work on :func:`medgrade_shared.text.normalise` output (lower case, single spaces, padded).

- *Not asking*: a statement that starts (after fillers) like an explanation, a plan or advice
  ("I think ...", "we'll ...", "it could be ...", "make sure ...", "if you ...") or states a
  plan anywhere ("... we may need to consider aspirin", "they will assess you") asks nothing,
  whatever topic it mentions. A statement is a sentence that does not end with a question mark,
  or ends with a check-in tag (", OK?", ", right?", ", yeah?"); a question is told by its
  question mark or, in unpunctuated speech, by its clause structure
  (:func:`medgrade_shared.questions.is_question`).
- *Bare echo*: a statement whose content words all repeat the patient's last turn ("Some
  ringing in your ear.") acknowledges; it does not ask.
- *Compounds*: "blood pressure", "doctor's surgery", "flights of stairs" and "hay fever" are
  matched as one word, so that "pressure", "surgery", "flights" or "fever" alone does not match
  inside them (:func:`mask_compounds`, applied to sentences and phrases alike).
- *Subject*: a sentence about the family ("anyone in your family ...") answers only a
  family-history question, and a family-history question only such a sentence: topic overlap
  ("stroke") is not asking. Likewise a sentence about an allergy ("allergic to any medication",
  "hay fever"), smoking or alcohol answers only a question about that (a question whose label or
  phrases name it), whatever else it mentions; and a question that asks about one of these
  outright ("any illnesses in your family?", "do you drink alcohol?") asks a key question on it.
- *Duration*: a sentence about how long the complaint has lasted asks an onset/duration question
  (one whose label or phrases speak of onset, duration, "how long" or "since when"): one that
  asks outright how long it has lasted ("how long has this been going on?", "how long have you
  had it?", not "how long have you been taking that?"), one that
  states or checks a duration of something ("for about a week?", "so you've had it for two
  days"), or a time window with a word of timing ("has it been going on over the last few
  months?", "did it start in the last few days?"). A window alone only bounds another question
  ("any fever in the last few days?"), and a sentence that asks how often or how much
  ("how many times a day ... in the last couple of days?") asks about that, not about timing:
  a number of days appearing is never enough.
- *Onset*: a sentence that asks when it started ("when it started", "when did the pain start",
  "that's when it first started?") asks a question one of whose phrases has that form.
- *Read-back*: the content words a restating sentence (a "you said ..."-form sentence or a
  statement) repeats from the patient's last turn, in the sentence's order
  (:func:`echoed_words`): the fact it confirms, embedded on its own by the matcher.
- *Confirmation*: a restating sentence ("so you've had ...", "you said ...", a statement read
  back) that shares a content word with what the patient said before it confirms a fact the
  patient volunteered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from medgrade_shared.models.rubric import KeyQuestion
from medgrade_shared.questions import is_question
from medgrade_shared.text import normalise

_FILLERS = (r"(?:(?:um+|uh+|erm|er|and|so|ok|okay|right|alright|all right|now|well|then|but|also|great|perfect|"
            r"fine|yeah|yes|sure|thanks|thank you|mm+|hmm+|oh|ah)\s+)*")
_NOT_ASKING = re.compile(
    r"^ " + _FILLERS + r"(?:i|i'm|i'll|i'd|i've|we|we'll|we're|we'd|we've|let me|let's|it could|it might|it may|"
    r"it can|it's probably|this could|this might|that could|that might|number (?:one|two|three)|normally|"
    r"usually|make sure|look out|the first thing|the next thing|what i|what we|they|they'll|you should|"
    r"you need to|you'll need|you'll|try to|please|hopefully|if|some people|don't|do not|see if|this sounds|"
    r"it sounds|sounds like|what it sounds) ")
# a statement ending with a check-in tag ("..., OK?") is still a statement
_TAG = re.compile(r",\s*(?:ok|okay|alright|all right|right|yeah)\s*\?\s*$", re.IGNORECASE)
_PLAN = re.compile(r" (?:we|they) (?:may|might|will|would|could|need to|are going to|'re going to) ")
_FAMILY = re.compile(r" (?:family|families|mum|mother|mom|dad|father|parents?|brothers?|sisters?|siblings?|"
                     r"relatives?|grandparents?|grandmother|grandfather|uncles?|aunts?) ")
_ALLERGY = re.compile(r" (?:allergic to|allergies to|allergy to|hay ?fever) ")
_ALLERGY_QUESTION = re.compile(r" (?:allerg[a-z]*|hay ?fever) ")
_SMOKING = re.compile(r" (?:smoke[sdr]?|smoking|cigarettes?|tobacco|vap(?:e|es|ing)) ")
_ALCOHOL = re.compile(r" (?:alcohol|alcoholic|pints?|units|beers?|wine) ")
_ALLERGY_ASKED = re.compile(r" allerg[a-z]* ")
_SPAN = (r"(?:about |around |roughly |nearly |almost |just |only |the last |the past |a good )*"
         r"(?:an? |one |two |three |four |five |six |seven |eight |nine |ten |few |couple of |couple |several |"
         r"[0-9]+ )(?:minutes?|hours?|days?|weeks?|months?|years?) ")
_DURATION_OF = re.compile(r" for " + _SPAN)  # how long something has lasted
_WINDOW = re.compile(r" (?:over|in) " + _SPAN)  # a stretch of time another question may be bounded by
_TIMING = re.compile(r" (?:going on|been like (?:this|that)|lasted|lasting|how long|since|start|started|starting|"
                     r"begin|began|come on|came on|first noticed|noticed it|had (?:it|this|that|them|these)) ")
_HOW_OFTEN_OR_MUCH = re.compile(r" (?:how (?:often|much|many (?!(?:minutes|hours|days|weeks|months|years) ))|"
                                r"(?:times|once|twice) (?:a|an|per|every) )")
_ONSET_ASKED = re.compile(r" when (?:did |does |do )?(?:it|this|that|they|these|the \S+|your \S+) (?:first )?"
                          r"(?:start|started|begin|began|come on|came on) ")
# asking outright how long the complaint has lasted ("how long has this been going on?", "how long
# have you had it?"), not how long something else has been done ("how long have you been taking that?")
_HOW_LONG = re.compile(r" how long (?:ago |has (?:it|this|that|the \S+|your \S+) been |have you had "
                       r"|have (?:these|they) been |did (?:it|this|that) last |is it going on )")
_DURATION_QUESTION = re.compile(r" (?:onset|duration|how long|since when) ")
_RESTATING = re.compile(
    r"^ " + _FILLERS + r"(?:you said|you mentioned|you've|you have|you had|you're|you are|you were|you can|"
    r"you get|that's|and that's|it says|it's been|your) ")
# Compound terms whose parts mean something else on their own: "pressure" in "high blood
# pressure" is not the character of a pain, "surgery" in "a doctor's surgery" is not an
# operation, "flights" in "flights of stairs" is not air travel, "fever" in "hay fever" is not a
# fever. Sentences and phrases are both rewritten before the lexical match.
_COMPOUNDS = ((re.compile(r" blood pressures? "), " bloodpressure "),
              (re.compile(r" (?:doctor's|doctors|gp|gp's|gps) surgery "), " gpsurgery "),
              (re.compile(r" flights? of stairs "), " flight of stairs "),
              (re.compile(r" hay ?fever "), " hayfever "))
_STOPWORDS = frozenset(re.findall(r"\S+",
    "a about after all am an and any are as at be been before but by can could did do does for from get got had has "
    "have how i i'm if in is it it's just like me more my no not now of on or so some than that that's the then "
    "there this to up very was we were what when where which with you you're you've your yeah yes ok okay um uh "
    "right well really bit little kind sort feel feeling"))


def asks_nothing(sentence: str, normalised: str) -> bool:
    if is_question(sentence) and _TAG.search(sentence) is None:
        return False
    return _NOT_ASKING.match(normalised) is not None or _PLAN.search(normalised) is not None


def sentence_topics(normalised: str) -> frozenset[str]:
    """The exclusive topics a sentence is about (family, allergy, smoking, alcohol)."""
    found = {"family": _FAMILY, "allergy": _ALLERGY, "smoking": _SMOKING, "alcohol": _ALCOHOL}
    return frozenset(name for name, regex in found.items() if regex.search(normalised))


def asked_topics(sentence: str, normalised: str) -> frozenset[str]:
    """The exclusive topics a question asks about outright."""
    if not is_question(sentence):
        return frozenset()
    found = {"family": _FAMILY, "allergy": _ALLERGY_ASKED, "smoking": _SMOKING, "alcohol": _ALCOHOL}
    return frozenset(name for name, regex in found.items() if regex.search(normalised))


def question_topics(question: KeyQuestion) -> frozenset[str]:
    texts = [normalise(text) for text in (question.label, *question.phrases)]
    found = {"family": _FAMILY, "allergy": _ALLERGY_QUESTION, "smoking": _SMOKING, "alcohol": _ALCOHOL}
    return frozenset(name for name, regex in found.items() if any(regex.search(text) for text in texts))


def subject_fits(sentence_topics: frozenset[str], question_topics: frozenset[str]) -> bool:
    """A topical sentence answers only a question on one of its topics; a family-history
    question needs a sentence about the family."""
    if "family" in question_topics and "family" not in sentence_topics:
        return False
    return not sentence_topics or not sentence_topics.isdisjoint(question_topics)


def asks_duration(normalised: str) -> bool:
    """Whether the sentence is about how long the complaint has lasted (see *Duration* above)."""
    if _HOW_OFTEN_OR_MUCH.search(normalised) is not None:
        return False
    return _DURATION_OF.search(normalised) is not None or _HOW_LONG.search(normalised) is not None or (
        _WINDOW.search(normalised) is not None and _TIMING.search(normalised) is not None)


def asks_onset(normalised: str) -> bool:
    return _ONSET_ASKED.search(normalised) is not None


def is_onset_question(question: KeyQuestion) -> bool:
    """A question one of whose phrases asks when it started ("when did the pain start")."""
    return any(asks_onset(normalise(text)) for text in question.phrases)


def is_duration_question(question: KeyQuestion) -> bool:
    return any(_DURATION_QUESTION.search(normalise(text)) for text in (question.label, *question.phrases))


def mask_compounds(normalised: str) -> str:
    """``normalised`` with each compound term made one word, so that its parts do not match alone."""
    for regex, replacement in _COMPOUNDS:
        normalised = regex.sub(replacement, normalised)
    return normalised


def content_words(normalised: str) -> set[str]:
    return {word for word in normalised.split() if word not in _STOPWORDS and len(word) > 2}


def echoed_words(sentence: str, normalised: str, patient_words: set[str]) -> str:
    """The content words of a restating sentence that the patient used, in the sentence's order."""
    if not is_restating(normalised) and is_question(sentence):
        return ""
    seen: list[str] = []
    for word in normalised.split():
        if word in patient_words and word not in seen:
            seen.append(word)
    return " ".join(seen)


def is_restating(normalised: str) -> bool:
    return _RESTATING.match(normalised) is not None


def is_bare_echo(sentence: str, normalised: str, patient_words: set[str]) -> bool:
    """A statement that only repeats the patient's words ("Some ringing in your ear."): an
    acknowledgement, not a question or a read-back (callers treat the sentences after a
    restating one in the same turn as part of that read-back)."""
    if is_question(sentence) or is_restating(normalised):
        return False
    words = content_words(normalised)
    return bool(words) and words <= patient_words


def is_confirmation(sentence: str, normalised: str, patient_words: Iterable[str]) -> bool:
    """A restating sentence that echoes something the patient said earlier."""
    restating = _RESTATING.match(normalised) is not None or not is_question(sentence)
    return restating and not content_words(normalised).isdisjoint(patient_words)
