"""'Are you sure?': where the last answer came from (vlm.perception.basis)."""
from __future__ import annotations

import pytest

from tests.test_moment import _ctx
from vlm.perception.basis import answer_basis
from vlm.perception.routes import extractive_answer


def _after(answer: str) -> list[dict]:
    return [{"role": "user", "content": "?"}, {"role": "assistant", "content": answer}]


@pytest.mark.parametrize("last, starts", [
    ("It looks like a beach.", "Not sure: beach is a weak guess, the likeliest place"),
    ("It looks like drumming. One person can be seen.", "Not sure: drumming is a guess, the likeliest activity"),
    ("It looks like a volcano.", "Not sure: it is a guess"),                   # not a line's guess
    ('Someone says "hello there" (0:07).', "It is what speech recognition heard"),
    ('The text says "WELCOME", shown at 0:00.', "It is what the text reader (OCR) read"),
    ("I can't tell from the video.", "Yes: none of the facts"),
    ("One person.", "Fairly: it comes from pose and face detection"),
    ("A stage.", "Not sure: stage is the image classifier's reading, a guess"),
    ("Yes, probably: drumming is the likeliest activity (a guess from the objects and poses, not certain).",
     "Not sure: drumming is a guess, the likeliest activity"),
    ("Yes, more likely outdoors than not (a guess from the objects, not certain).", "Not sure: indoors or outdoors"),
    ("Mostly to the left.", "Not entirely")])
def test_the_last_answer_is_traced_to_its_source(last, starts):
    ctx = _ctx()
    ctx.activity, ctx.place = [("drumming", 0.3)], [("beach", 0.15)]
    assert answer_basis("Are you sure?", ctx, _after(last)).startswith(starts)


@pytest.mark.parametrize("question", ["Are you sure?", "Really?", "How do you know?", "Is that right?",
                                      "Why do you say that?", "And how sure are you?"])
def test_doubting_questions_are_recognised_after_an_answer(question):
    assert extractive_answer(question, _ctx(), _after("A stage."))[0] == "basis"
    assert answer_basis(question, _ctx(), []) is None           # nothing to be sure of yet


@pytest.mark.parametrize("question", ["Are you sure the dog is brown?", "Is it really a dog?", "Is that a dog?"])
def test_questions_about_the_video_are_left_alone(question):
    assert answer_basis(question, _ctx(), _after("A stage.")) is None
