import pytest

from tests.test_which import _ctx


@pytest.mark.parametrize("question, asked", [("What sport is being played?", True), ("Which sport is this?", True),
                                             ("And what kind of sport do they play?", True),
                                             ("What game are they playing?", True),
                                             ("What ball game is this?", True), ("What game show is this?", False),
                                             ("What is the man doing?", False),
                                             ("Is this a sports field?", False)])
def test_a_what_sport_question_is_read(question, asked):
    from vlm.perception.sport import WHAT_SPORT

    assert (WHAT_SPORT.search(question) is not None) is asked


def test_the_sport_of_the_likeliest_gear_answers():
    from vlm.perception.sport import answer_sport

    ctx = _ctx([("baseball player", 0.34), ("racket", 0.26), ("window screen", 0.08)],
               [("racket", 0.3), ("tennis ball", 0.12)], [("baseball player", 0.4)])
    # tennis's gear adds up (racket 0.3 + tennis ball 0.12) past baseball's 0.4
    assert answer_sport("What sport is being played?", ctx) == \
        "It looks like tennis (the objects seen include a racket and a tennis ball)."
    assert answer_sport("What is the man doing?", ctx) is None           # not a sport question: the reader's


def test_no_gear_seen_leaves_the_sport_to_the_reader():
    from vlm.perception.sport import answer_sport

    assert answer_sport("What sport is this?", _ctx([("sliding door", 0.4), ("racket", 0.05)])) is None
    assert answer_sport("What sport is this?", _ctx([("parallel bars", 0.3)])) == \
        "It looks like gymnastics (the objects seen include parallel bars)."


def test_a_choice_of_two_sports_gets_the_one_the_gear_names():
    from vlm.perception.sport import answer_sport

    ctx = _ctx([("baseball player", 0.34), ("window screen", 0.08)])
    assert answer_sport("Is this tennis or baseball?", ctx) == \
        "Baseball, it looks like (the objects seen include a baseball player)."
    assert answer_sport("Are they playing golf or soccer?", ctx) == \
        "I can't tell: the objects seen point to baseball instead (they include a baseball player)."
    assert answer_sport("Is this a car or a truck?", ctx) is None         # not a choice of sports


@pytest.mark.parametrize("activity, expected", [
    ([("salsa dancing", 0.3), ("tango dancing", 0.1)], "It looks like salsa dancing (a guess from the objects and "
                                                        "poses, not certain)."),
    ([("wrestling", 0.1), ("tango dancing", 0.05)], "Possibly tango dancing, the likeliest dance among the likely "
                                                     "activities (wrestling and tango dancing; a guess)."),
    ([("wrestling", 0.1), ("boxing punching bag", 0.05)], "I can't tell: none of the likely activities (wrestling "
                                                          "and boxing punching bag) is a dance.")])
def test_a_dance_question_gets_a_dance_among_the_guesses_or_none(activity, expected):
    from vlm.perception.sport import answer_dance

    ctx = _ctx([("stage", 0.2)])
    ctx.activity = activity
    assert answer_dance("What kind of dance is this?", ctx) == expected
    assert answer_dance("What are they doing?", ctx) is None
