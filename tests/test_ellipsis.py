"""Follow-ups that leave out what the last question said, written out from it (vlm.perception.ellipsis)."""
from __future__ import annotations

import pytest

from vlm.perception.ellipsis import resolved


def _after(question: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": "An answer."}]


@pytest.mark.parametrize("before, question, expected", [
    ("Does the camera move?", "And the boat?", "Does the boat move?"),
    ("Are there people?", "What about animals?", "Are there animals?"),
    ("Is there a dog?", "And cats?", "Are there any cats?"),
    ("Is there a dog?", "And the man?", "Is there a man?"),                  # "there is" takes an indefinite
    ("Is there a dog?", "How about owl?", "Is there an owl?"),
    ("Is there a dog in the yard?", "And a cat?", "Is there a cat in the yard?"),
    ("Is there any music?", "And speech?", "Is there any speech?"),
    ("How many people are there?", "And dogs?", "How many dogs are there?"),
    ("What colour is the car?", "And the house?", "What colour is the house?"),
    ("Where is the ball?", "And the dog?", "Where is the dog?"),
    ("Is the man smiling?", "What about the two kids?", "Are the two kids smiling?"),   # the verb agrees
    ("What are they holding?", "And the man?", "What is the man holding?"),
    ("Does anyone appear?", "When?", "When does anyone appear?"),
    ("Is someone upside down?", "And when?", "When is someone upside down?"),
    ("Is there a ball?", "What kind?", "What kind of ball is it?"),
    ("Is there a red car?", "What colour?", "What colour is the car?")])
def test_a_follow_up_is_written_out_from_the_last_question(before, question, expected):
    assert resolved(question, _after(before)) == expected


@pytest.mark.parametrize("before, question", [
    ("Does the camera move?", "And then?"),           # a follow-up of its own
    ("Is there a boat?", "And after that?"),
    ("What does she say?", "And when?"),              # no yes/no to turn into "when": the quote's time answers
    ("Is there a dog?", "When?"),                     # "When is there a dog?" is not what was asked
    ("What is the man doing?", "And what is it made of?"),
    ("Hello", "What kind?")])                         # nothing named to ask about
def test_follow_ups_that_say_what_they_ask_or_have_nothing_to_fill_in_are_left_as_they_are(before, question):
    assert resolved(question, _after(before)) == question


def test_a_first_question_is_left_as_it_is():
    assert resolved("And the boat?", []) == "And the boat?"


def test_the_assistant_routes_the_written_out_follow_up(assistant, clip_path, monkeypatch):
    from vlm.perception.routes import ROUTES

    video = assistant.watch(clip_path)
    asked = []
    monkeypatch.setitem(ROUTES, "video_info", lambda q, ctx, history: asked.append(q))   # sees each question first
    monkeypatch.setattr(assistant, "extractive", True)   # undone after the test: the assistant is shared
    history = _after("Does the camera move?")
    assistant.answer(video, "And the boat?", history, max_new_tokens=2)
    assert asked[-1] == "Does the boat move?"
