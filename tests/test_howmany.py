"""Yes/no questions about a number of people, checked against the people count (vlm.perception.howmany)."""
from __future__ import annotations

import pytest

from tests.helpers import people_context
from vlm.perception.context import PerceptionContext
from vlm.perception.howmany import answer_how_many, asked_number
from vlm.video.io import VideoInfo

_ctx = people_context


@pytest.mark.parametrize("question, asked", [("Are there more than two people?", (">", 2)),
                                             ("Is there only one child?", ("==", 1)),
                                             ("Are there at least 3 players?", (">=", 3)),
                                             ("Does the video show two young dancers?", ("==", 2)),
                                             ("Are there fewer than four kids?", ("<", 4)),
                                             ("Is there a person?", None), ("Are there two dogs?", None),
                                             ("How many people are there?", None),
                                             ("Is he one of the players?", None),
                                             ("Do the two men move closer together?", None),
                                             ("Is only one person in the video?", ("==", 1)),
                                             ("Are more than two people visible?", (">", 2)),
                                             ("Are two people dancing?", None),
                                             ("Is one man holding a bat?", None)])
def test_the_number_and_the_comparison_are_read_from_the_question(question, asked):
    assert asked_number(question) == asked


@pytest.mark.parametrize("question, counts, expected", [
    ("Are there more than two people?", [1, 2, 1], "No: up to two people are seen at once."),
    ("Are there more than one person?", [1, 2, 1], "Yes: up to two people are seen at once."),
    ("Are there two people?", [2, 2], "Yes: up to two people are seen at once."),
    ("Is there only one child?", [1, 1], "Yes: one person is seen."),
    ("Are there three men?", [0, 0], "No: no one is seen.")])
def test_the_answer_compares_with_the_most_people_seen_at_once(question, counts, expected):
    assert answer_how_many(question, _ctx(counts)) == expected


def test_without_the_people_part_the_reader_answers():
    ctx = PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], [], [], [2.0])
    assert answer_how_many("Are there more than two people?", ctx) is None


@pytest.mark.parametrize("question, history, expected", [
    ("How many bottles are on the table?", (), "I can't tell how many bottles there are: the facts give a number "
                                               "for people only."),
    ("And how many are there at the start?", [{"role": "user", "content": "What is on the table?"}],
     "I can't tell how many there are: the facts give a number for people only."),
    ("And how many are there?", [{"role": "user", "content": "Who is in the video?"}], None),
    ("How many animals are there?", (), "I can't tell how many animals there are: the facts give a number for "
                                        "people only."),                               # a kind, not a class name
    ("How many objects are there?", (), "I can't tell how many objects there are: the facts give a number for "
                                        "people only."),                               # the reader said "One person."
    ("How many fencers are there?", (), None), ("How many divers jump?", (), None),   # people
    ("How many strings does it have?", (), None),                                     # not a thing ImageNet names
    ("How many times does he jump?", (), None),
    ("How many?", [{"role": "user", "content": "Is there a boat?"}],                 # the thing asked about
     "I can't tell how many there are: the facts give a number for people only."),
    ("How many?", [{"role": "user", "content": "Is there a man?"}], None),             # people: the count answers
    ("How many?", [{"role": "user", "content": "Is there a reason?"}], None)])        # not a thing ImageNet names
def test_how_many_things_is_said_to_be_beyond_the_facts(question, history, expected):
    from vlm.perception.howmany import answer_how_many_things

    assert answer_how_many_things(question, history) == expected


@pytest.mark.parametrize("question, counts, expected", [
    ("Is he alone?", [1, 1], "Yes: one person is seen."),                 # the reader said "No, only one person."
    ("Is the man alone in the room?", [1, 2], "No: up to two people are seen at once."),
    ("Is he alone there?", [1], "Yes: one person is seen."),
    ("Is she on her own?", [0, 1], "Yes: one person is seen."),
    ("Is he alone with the dog?", [1], None)])                             # not only about people
def test_alone_is_only_one_person(question, counts, expected):
    assert answer_how_many(question, people_context(counts)) == expected
