"""Judgements and feelings said to be beyond the facts (vlm.perception.opinion)."""
from __future__ import annotations

import pytest

from vlm.perception.opinion import answer_opinion

FEELING = "I can't tell: the facts say where people are and how they hold themselves, not how they feel."


@pytest.mark.parametrize("question, expected", [
    ("Is it dangerous?", "I can't tell: the facts say what is seen and heard, not whether it is dangerous."),
    ("Is this video funny?", "I can't tell: the facts say what is seen and heard, not whether this video is funny."),
    ("Is the water calm?", "I can't tell: the facts say what is seen and heard, not whether the water is calm."),
    ("Do you like it?", "I can't tell: the facts say what is seen and heard, not what anyone makes of it."),
    ("Is the baby happy?", FEELING), ("Is he calm?", FEELING), ("How does she feel?", FEELING),
    ("Are they having fun?", FEELING), ("Does he look tired?", FEELING),
    ("Is the door open?", None), ("Is it a good dog?", None), ("Is it real?", None), ("Is he dancing?", None)])
def test_judgements_and_feelings_are_said_to_be_beyond_the_facts(question, expected):
    assert answer_opinion(question, None) == expected
