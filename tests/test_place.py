"""'Is this a kitchen?' answered from the likely-place line (vlm.perception.place)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PerceptionContext
from vlm.perception.place import answer_in_or_out, answer_is_place, answer_weather, asked_place
from vlm.video.io import VideoInfo


def _ctx(places):
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], place=list(places))


@pytest.mark.parametrize("question, place", [
    ("Is this a kitchen?", "kitchen"), ("Is it in a gym?", "gym"), ("Was this filmed at a beach?", "beach"),
    ("Are we in a classroom?", "classroom"), ("Is the man in a kitchen?", "kitchen"), ("Is this a pool?", "swimming pool"),
    ("And is it a lake?", "lake"), ("Is it in a bus?", "bus"), ("Is the scene a beach?", "beach"),
    ("Is that a bus?", None),                       # a thing pointed at, not the place
    ("Is that a pool?", None), ("Is this a sport?", None), ("Is he a stage?", None),
    ("Is this a kitchen or a bedroom?", None)])     # a choice: the reader's
def test_the_asked_place_is_read_from_the_question(question, place):
    assert asked_place(question) == place


PLACES = [("dining room", 0.11), ("hotel room", 0.10), ("restaurant", 0.08)]


@pytest.mark.parametrize("question, expected", [
    ("Is this a dining room?", "Possibly: a dining room is the likeliest place (a guess from the objects, not "
                               "certain)."),
    ("Is this a restaurant?", "Possibly: a restaurant is among the likely places, after a dining room and a hotel "
                              "room (a guess from the objects, not certain)."),
    ("Is this a kitchen?", "I can't tell; a kitchen is not among the likely places (a dining room, a hotel room, a "
                           "restaurant; a guess from the objects, not certain)."),
    ("Is this a hot dog?", None)])
def test_the_answer_says_where_the_place_stands_among_the_guesses(question, expected):
    assert answer_is_place(question, _ctx(PLACES)) == expected


def test_without_a_likely_place_the_question_is_left_to_the_reader():
    assert answer_is_place("Is this a kitchen?", _ctx([])) is None


@pytest.mark.parametrize("question, asks", [
    ("What is the weather like?", True), ("How's the weather?", True), ("Is it raining?", True),
    ("Is it a sunny day?", True), ("Is the sky clear?", True), ("And what's the weather?", True),
    ("Is it a kitchen?", False), ("What is the man doing in the rain?", False),
    ("Is there snow?", False)])           # snow can be seen ("snowy field" is a place of the vocabulary)
def test_weather_questions_are_said_to_be_beyond_the_facts(question, asks):
    ctx = _ctx(PLACES)
    ctx.indoors = "indoors"
    answer = answer_weather(question, ctx)
    assert (answer is not None) is asks
    if asks:      # the reader said "It looks like a sunny day." in a gym
        assert answer.startswith("I can't tell the weather") and "it looks indoors" in answer
        ctx.indoors = "outdoors"
        assert "indoors" not in answer_weather(question, ctx) and "sunny" not in answer_weather(question, ctx)


@pytest.mark.parametrize("question, asks", [
    ("How is the lighting?", True), ("Is it dark?", True), ("Is the room well lit?", True),
    ("Is it day or night?", True), ("What time of day is it?", True),
    ("What is the man holding?", False), ("Is it a dark dog?", False), ("What time does he speak?", False)])
def test_the_light_and_the_time_of_day_are_said_to_be_beyond_the_facts(question, asks):
    answer = answer_weather(question, _ctx(PLACES))
    assert (answer == "I can't tell: none of the facts is about the light or the time of day.") is asks


@pytest.mark.parametrize("question, guess, expected", [
    ("Is this outdoors?", "outdoors", "Yes, more likely outdoors than not (a guess from the objects, not certain)."),
    ("Was it filmed inside?", "outdoors", "No, more likely outdoors than not (a guess from the objects, not "
                                          "certain)."),
    ("Is the scene in an indoor setting?", "indoors", "Yes, more likely indoors than not (a guess from the objects, "
                                                      "not certain)."),
    ("Is this indoors or outdoors?", "indoors", None),       # a choice: the reader names one
    ("Is it outdoors?", "", None)])                          # no guess: the reader's
def test_indoors_or_not_is_answered_yes_or_no_from_the_guess(question, guess, expected):
    ctx = _ctx(PLACES)
    ctx.indoors = guess
    assert answer_in_or_out(question, ctx) == expected
