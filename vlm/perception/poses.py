"""Yes/no questions about what the people line times: a raised arm, a hand near the face, gesturing hands
("Does he raise his arm?", "Is his hand near his face?", "Does he move his hands?"), answered from the pose and
hand models' findings (extractive, no LLM).

The reader answered these from the wrong line or against the facts: "Is his hand near his face?" got "No, no one
is seen near the face." where the people line says "a hand near the face at 0:01", "Does he move his hands?" got
the motion line's "Mostly downward.", "Does he raise his arm?" got "No, no one is seen up or down.". Here the
question is matched to the events' plain descriptions (`when.PEOPLE_PHRASES`, asked as yes/no questions) with
the sentence model, as `when` matches "when" questions, among the events the question names a word of
(`when.NAMES_EVENT`: "Does he shake hands?" is not gesturing); a match above `when.MIN_SIMILARITY` is a yes with
the event's times, or a no where pose detection finds someone but not the event. Postures ("Is he sitting?") and
questions about someone nobody sees are left to the other routes and the reader.
"""
from __future__ import annotations

import re

from vlm.english import YES_NO_QUESTION
from vlm.perception.base import fmt_span
from vlm.perception.when import ARMS, MIN_SIMILARITY, NAMES_EVENT, NONE_SEEN, arm_fact, best_fact, people_events

EVENTS = frozenset({*ARMS, "a hand near the face", "hands moving (gesturing)"})


def answer_pose_event(question: str, context, *, min_similarity: float = MIN_SIMILARITY) -> str | None:
    """'Yes: a hand near the face at 0:01.' / 'No: pose detection finds no raised arm in the analysed frames.';
    None for other questions, where nobody is seen and while the people part runs."""
    people = context.part("people")
    if people is None or not people.frames or people.max_people == 0 or not YES_NO_QUESTION.search(question):
        return None
    facts = [f for f in people_events(people, absent_in=question, form="Does someone {}?")
             if f.what in EVENTS and re.search(NAMES_EVENT[f.what], question, re.I)]   # not "shake hands"
    fact, sim = best_fact(question, facts)
    if fact is None or sim < min_similarity:
        return None
    fact = arm_fact(fact, facts, question)
    if not fact.spans:
        return f"No: pose detection finds {NONE_SEEN[fact.what]} in the analysed frames."
    return f"Yes: {fact.what} at " + ", ".join(fmt_span(a, b) for a, b in fact.spans[:3]) + "."
