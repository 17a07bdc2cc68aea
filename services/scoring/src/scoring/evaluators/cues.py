"""Lexical cues of what an interviewer sentence does, used beside the embeddings.

All work on :func:`medgrade_shared.text.normalise` output (lower case, single spaces, padded).

- *Not asking*: a statement that starts (after fillers) like an explanation, a plan or advice
  ("I think ...", "we'll ...", "it could be ...", "make sure ...", "if you ...") and does not
  end with a question mark asks nothing, whatever topic it mentions.
- *Subject*: a sentence about the family ("anyone in your family ...") answers only a
  family-history question, and a family-history question only such a sentence: topic overlap
  ("stroke") is not asking. Likewise a sentence about an allergy ("allergic to any medication",
  "hay fever"), smoking or alcohol answers only a question about that (a question whose label or
  phrases name it), whatever else it mentions; and a question that asks about one of these
  outright ("any illnesses in your family?", "do you drink alcohol?") asks a key question on it.
- *Duration*: a sentence that states or checks a duration ("for about a week?", "over the last
  few months") asks an onset/duration question (one whose label or phrases speak of onset,
  duration, "how long" or "since when").
- *Confirmation*: a restating sentence ("so you've had ...", "you said ...", a statement read
  back) that shares a content word with what the patient said before it confirms a fact the
  patient volunteered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from medgrade_shared.models.rubric import KeyQuestion
from medgrade_shared.text import normalise

_FILLERS = (r"(?:(?:um+|uh+|erm|er|and|so|ok|okay|right|alright|all right|now|well|then|but|also|great|perfect|"
            r"fine|yeah|yes|sure|thanks|thank you|mm+|hmm+|oh|ah)\s+)*")
_NOT_ASKING = re.compile(
    r"^ " + _FILLERS + r"(?:i|i'm|i'll|i'd|i've|we|we'll|we're|we'd|we've|let me|let's|it could|it might|it may|"
    r"it can|it's probably|this could|this might|that could|that might|number (?:one|two|three)|normally|"
    r"usually|make sure|look out|the first thing|the next thing|what i|what we|they|they'll|you should|"
    r"you need to|you'll need|you'll|try to|please|hopefully|if|some people|don't|do not|see if|this sounds|"
    r"it sounds|sounds like|what it sounds) ")
_FAMILY = re.compile(r" (?:family|families|mum|mother|mom|dad|father|parents?|brothers?|sisters?|siblings?|"
                     r"relatives?|grandparents?|grandmother|grandfather|uncles?|aunts?) ")
_ALLERGY = re.compile(r" (?:allergic to|allergies to|allergy to|hay ?fever) ")
_ALLERGY_QUESTION = re.compile(r" (?:allerg[a-z]*|hay ?fever) ")
_SMOKING = re.compile(r" (?:smoke[sdr]?|smoking|cigarettes?|tobacco|vap(?:e|es|ing)) ")
_ALCOHOL = re.compile(r" (?:alcohol|alcoholic|pints?|units|beers?|wine) ")
_ALLERGY_ASKED = re.compile(r" allerg[a-z]* ")
_DURATION = re.compile(
    r" (?:for|over|in) (?:about |around |roughly |nearly |almost |just |only |the last |the past |a good )*"
    r"(?:an? |one |two |three |four |five |six |seven |eight |nine |ten |few |couple of |couple |several |[0-9]+ )"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?) ")
_DURATION_QUESTION = re.compile(r" (?:onset|duration|how long|since when) ")
_RESTATING = re.compile(
    r"^ " + _FILLERS + r"(?:you said|you mentioned|you've|you have|you had|you're|you are|you were|you can|"
    r"you get|that's|and that's|it says|it's been|your) ")
_STOPWORDS = frozenset(re.findall(r"\S+",
    "a about after all am an and any are as at be been before but by can could did do does for from get got had has "
    "have how i i'm if in is it it's just like me more my no not now of on or so some than that that's the then "
    "there this to up very was we were what when where which with you you're you've your yeah yes ok okay um uh "
    "right well really bit little kind sort feel feeling"))


def asks_nothing(sentence: str, normalised: str) -> bool:
    return not sentence.rstrip().endswith("?") and _NOT_ASKING.match(normalised) is not None


def sentence_topics(normalised: str) -> frozenset[str]:
    """The exclusive topics a sentence is about (family, allergy, smoking, alcohol)."""
    found = {"family": _FAMILY, "allergy": _ALLERGY, "smoking": _SMOKING, "alcohol": _ALCOHOL}
    return frozenset(name for name, regex in found.items() if regex.search(normalised))


def asked_topics(sentence: str, normalised: str) -> frozenset[str]:
    """The exclusive topics a question (a sentence ending with '?') asks about outright."""
    if not sentence.rstrip().endswith("?"):
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


def states_duration(normalised: str) -> bool:
    return _DURATION.search(normalised) is not None


def is_duration_question(question: KeyQuestion) -> bool:
    return any(_DURATION_QUESTION.search(normalise(text)) for text in (question.label, *question.phrases))


def content_words(normalised: str) -> set[str]:
    return {word for word in normalised.split() if word not in _STOPWORDS and len(word) > 2}


def is_confirmation(sentence: str, normalised: str, patient_words: Iterable[str]) -> bool:
    """A restating sentence that echoes something the patient said earlier."""
    restating = _RESTATING.match(normalised) is not None or not sentence.rstrip().endswith("?")
    return restating and not content_words(normalised).isdisjoint(patient_words)
