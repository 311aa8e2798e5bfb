"""Yes/no questions about an activity, answered from the likely-activity line (vlm.perception.doing)."""
from __future__ import annotations

import pytest

from tests.helpers import people_context
from vlm.perception.doing import answer_doing

GUESS = "(a guess from the objects and poses, not certain)"


def _ctx(activity):
    ctx = people_context([1])
    ctx.activity = activity
    return ctx


@pytest.mark.parametrize("question", ["Is the man wearing a hat?", "Is she standing?", "Is he talking?",
                                      "Is the door open?", "Does the camera move?", "Is the boat sailing?",
                                      "What is he playing?"])
def test_postures_worn_things_speech_and_other_questions_are_left_alone(question):
    assert answer_doing(question, _ctx([("playing guitar", 0.4)])) is None      # no sentence model needed


def test_without_the_likely_activity_line_the_reader_answers():
    assert answer_doing("Is he playing guitar?", _ctx([])) is None


@pytest.mark.slow
@pytest.mark.parametrize("question, activity, expected", [
    ("Is the man playing a guitar?", [("playing guitar", 0.4), ("playing harp", 0.1)],
     f"Yes, probably: playing guitar is the likeliest activity {GUESS}."),
    ("Is the man playing a guitar?", [("playing guitar", 0.05), ("playing harp", 0.04)],
     f"Possibly: playing guitar is the likeliest activity {GUESS}."),                       # a long shot
    ("Is the man getting a haircut?", [("braiding hair", 0.06), ("haircut", 0.04), ("shaving head", 0.03)],
     f"Possibly: haircut is among the likely activities, after braiding hair {GUESS}."),   # was "Yes, a haircut is seen."
    ("Is he playing the piano?", [("playing guitar", 0.4), ("playing flute", 0.1), ("playing harp", 0.1)],
     f"I can't tell: the likely activities are playing guitar, playing flute and playing harp {GUESS}."),
    ("Is the baby happy?", [("playing guitar", 0.4)], None)])                              # no -ing activity
def test_the_answer_says_where_the_activity_stands_among_the_guesses(question, activity, expected):
    assert answer_doing(question, _ctx(activity)) == expected
