"""'What else?' / 'Tell me more.': the facts no earlier answer gave (vlm.perception.more)."""
from __future__ import annotations

import pytest

from tests.test_moment import _ctx
from vlm.perception.more import NOTHING_MORE, answer_more, asked_more
from vlm.perception.routes import extractive_answer


def _said(*answers: str) -> list[dict]:
    return [t for a in answers for t in ({"role": "user", "content": "?"}, {"role": "assistant", "content": a})]


@pytest.mark.parametrize("question, asked", [
    ("What else?", True), ("Anything else?", True), ("Is there anything else?", True), ("Tell me more.", True),
    ("Can you tell me more about it?", True), ("And what else can you see?", True), ("What else happens?", True),
    ("Any other details?", True), ("Go on.", True),
    ("What else is he holding?", False), ("Tell me more about the man.", False), ("What is else?", False),
    ("Is there anything else on the table?", False)])
def test_what_else_questions_are_told_apart_from_questions_about_one_thing(question, asked):
    assert asked_more(question) is asked


def test_the_facts_already_given_are_left_out():
    ctx = _ctx()
    first = answer_more("What else?", ctx)
    assert first.startswith("The frames show a stage and a drum.")      # no earlier answer: no "also"
    assert "Up to" not in first and "One person is seen: both arms raised at 0:10." in first
    assert 'Someone says "hello there" (0:07).' in first
    after_stage = answer_more("What else?", ctx, _said("A stage."))
    assert after_stage.startswith("The frames also show a drum.")
    after_person = answer_more("Anything else?", ctx, _said("One person can be seen."))
    assert "person is seen" not in after_person                           # people were answered already


def test_when_every_fact_was_given_it_says_so():
    ctx = _ctx()
    history = []
    for _ in range(4):
        answer = answer_more("Tell me more.", ctx, history)
        history += _said(answer)
    assert answer == NOTHING_MORE
    said = " ".join(t["content"] for t in history)
    assert all(s in said for s in ("stage", "drum", "hello there", "WELCOME"))


def test_the_route_answers_before_the_reader():
    assert extractive_answer("What else?", _ctx(), _said("A stage."))[0] == "more"
