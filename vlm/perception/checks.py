"""Checks on the reader's first sentence before the user sees it: an answer the facts contradict, or one about
something the question did not ask, becomes "I can't tell from the video." (and the rest is not generated).

- `vlm.perception.howmany.denies_people_seen`: "No, no one is visible wearing a hat." while the people line has
  someone (2 test-half and 1 development-half answers, all wrong before and after).
- `vlm.perception.speech.answers_unasked_speech`: "Yes, something is said: an audio track." to "Is this a sport?"
  (no question of the benchmark gets such an answer; found by asking real clips other questions).
- `answers_unasked_place`: "Indoors." to "Is it day or night?", "It looks like a road." to "What passes by in the
  video?" (1 test-half and 1 paraphrased answer, both wrong before and after; every place answer to a question
  about a place is kept).
- `answers_another_direction`: "Mostly to the right." to "Does the person go up or down?" or "Does the child ride
  towards the camera or away from it?" (the motion line has left/right/up/down of the whole picture, nothing
  about towards or apart): a choice between directions is answered with one of them, or not at all (2 test-half
  and 2 development-half answers, all wrong before and after).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from vlm.perception.activity import PLACES
from vlm.perception.howmany import denies_people_seen
from vlm.perception.speech import answers_unasked_speech

CANT_TELL = "I can't tell from the video."
# The reader's place answers (the context's "Likely place" line and its indoors guess) ...
PLACE_ANSWER = re.compile(r"^\W*(?:(?:yes|no)\W+)?(?:indoors|outdoors|it looks like (?:a |an |the )?(?:"
                          + "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)) + r"))\s*[.,;]",
                          re.I)
# ... and the words of a question that asks about the place.
PLACE_QUESTION = re.compile(r"\b(?:where|place|places|location|located|setting|indoors?|outdoors?|inside|outside|"
                            r"rooms?|filmed|recorded|shot|taken|environment|surroundings|background|scene|venue|"
                            r"building|area|spot|site)\b", re.I)


def answers_unasked_place(answer: str, question: str) -> bool:
    """Whether the answer names the place or indoors/outdoors when the question asks nothing about the place."""
    return PLACE_ANSWER.search(answer) is not None and PLACE_QUESTION.search(question) is None


# Directions, folded to one word each ("upward" -> "up", "towards" -> "toward", "farther" -> "further").
DIRECTIONS = {"up": "up", "upward": "up", "upwards": "up", "down": "down", "downward": "down", "downwards": "down",
              "left": "left", "leftward": "left", "right": "right", "rightward": "right", "toward": "toward",
              "towards": "toward", "away": "away", "closer": "closer", "nearer": "closer", "apart": "apart",
              "together": "together", "further": "further", "farther": "further", "into": "into", "out": "out",
              "forward": "forward", "forwards": "forward", "backward": "backward", "backwards": "backward",
              "top": "up", "bottom": "down", "approach": "toward", "approaches": "toward"}


def _directions(text: str) -> set[str]:
    return {DIRECTIONS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in DIRECTIONS}


def answers_another_direction(answer: str, question: str) -> bool:
    """Whether a question choosing between directions ("... up or down?") gets an answer naming none of them."""
    asked = _directions(question)
    if len(asked) < 2 or not re.search(r"\bor\b", question, re.I) or answer.startswith("I can't tell"):
        return False
    return not (asked & _directions(answer))


def first_sentence_fails(head: str, question: str, context) -> bool:
    return (denies_people_seen(head, context) or answers_unasked_speech(head, question)
            or answers_unasked_place(head, question) or answers_another_direction(head, question))


def checked_start(pieces: Iterator[str], context, question: str = "") -> Iterator[str]:
    """The streamed answer, its first sentence held back until complete and checked (`first_sentence_fails`)."""
    head, pieces = "", iter(pieces)
    for piece in pieces:
        head += piece
        if re.search(r"[.!?](?:\s|$)", head) or len(head) > 120:
            break
    if first_sentence_fails(head, question, context):
        yield CANT_TELL
        return
    if head:
        yield head
    yield from pieces
