"""'a' or 'an' before a name, in whole answers and in streamed pieces, and the plain question inside a request
(vlm.english)."""
from __future__ import annotations

import pytest

from vlm.english import direct_question, fix_articles, fix_articles_stream, with_article


@pytest.mark.parametrize("name, expected", [("oxygen mask", "An oxygen mask"), ("bell pepper", "A bell pepper"),
                                            ("unicycle", "A unicycle"), ("umbrella", "An umbrella"),
                                            ("ukulele", "A ukulele"), ("hour", "An hour"),
                                            ("one-man band", "A one-man band"), ("European car", "A European car"),
                                            ("urn", "An urn")])
def test_the_article_goes_by_the_sound_of_the_first_letters(name, expected):
    assert with_article(name) == expected
    assert with_article(name, capital=False) == expected[0].lower() + expected[1:]


def test_wrong_articles_are_fixed_and_numbers_and_names_left_alone():
    assert fix_articles("It looks like a oxygen mask and an bell pepper.") == \
        "It looks like an oxygen mask and a bell pepper."
    assert fix_articles("A apple. An tree!") == "An apple. A tree!"
    assert fix_articles("an 8-year-old with plan A in hand") == "an 8-year-old with plan A in hand"
    assert fix_articles("banana and a") == "banana and a"   # nothing after it: unchanged


def test_a_streamed_article_waits_for_its_word():
    pieces = ["The frames ", "mostly show a ", "oxygen ", "mask and a ", "ukulele."]
    out = list(fix_articles_stream(pieces))
    assert "".join(out) == "The frames mostly show an oxygen mask and a ukulele."
    assert out[1] == "mostly show "                      # the article was held back, not sent and taken back
    assert list(fix_articles_stream(["It ends with a "])) == ["It ends with ", "a "]   # the last one is let go
    assert "".join(fix_articles_stream(["Use plan ", "A ", "if in doubt. ", "A ", "apple."])) == \
        "Use plan A if in doubt. An apple."          # what came before a piece tells a name from an article


def test_plural_names_take_no_article_in_whole_and_streamed_answers():
    assert with_article("sunglasses") == "Sunglasses" and with_article("jeans", capital=False) == "jeans"
    assert fix_articles("It shows a parallel bars and a pajamas. A jeans.") == \
        "It shows parallel bars and pajamas. Jeans."
    assert fix_articles("a parallel parking spot") == "a parallel parking spot"   # not the plural name
    pieces = ["The frames mostly show a ", "parallel ", "bars and a ", "pajamas."]
    assert "".join(fix_articles_stream(pieces)) == "The frames mostly show parallel bars and pajamas."


@pytest.mark.parametrize("word, expected", [("bottles", "bottle"), ("children", "child"), ("boxes", "box"),
                                            ("glass", "glass"), ("canoes", "canoe"), ("shoes", "shoe"),
                                            ("potatoes", "potato"), ("ferries", "ferry"), ("firemen", "fireman")])
def test_singular(word, expected):
    from vlm.english import singular

    assert singular(word) == expected


@pytest.mark.parametrize("request_, question", [
    ("Can you tell me what happens in this video?", "What happens in this video?"),
    ("Could you please tell me what the man is holding?", "What is the man holding?"),
    ("Do you know if there is a dog?", "Is there a dog?"),
    ("Can you tell me how many people there are?", "How many people are there?"),
    ("I wonder what color the car is.", "What color is the car?"),
    ("Can you tell me when the door opens?", "When does the door open?"),
    ("Tell me what the man says.", "What does the man say?"),
    ("Tell me if anyone speaks.", "Does anyone speak?"),
    ("Tell me what happens when the door opens.", "What happens when the door opens?"),
    ("Tell me who speaks first.", "Who speaks first?"),
    ("Do you know where they are?", "Where are they?"),
    ("And can you tell me what it is made of?", "And what is it made of?"),
    ("Could you please describe the video?", "Describe the video."),
    ("Can you tell me about the audio?", "Tell me about the audio."),
])
def test_a_request_is_read_as_the_question_inside_it(request_, question):
    assert direct_question(request_) == question


@pytest.mark.parametrize("question", ["Can you see a dog?", "How many people can you see?", "Tell me about the audio.",
                                      "What is the man holding?", "Do you see anyone?", "Describe the video."])
def test_a_plain_question_is_left_alone(question):
    assert direct_question(question) == question


@pytest.mark.parametrize("typed, question", [
    ("wat vegtable is this", "what vegetable is this"), ("Whats the man doing?", "What is the man doing?"),
    ("What\u2019s she holding?", "What is she holding?"),
    ("hw many ppl are there?", "how many people are there?"), ("Wich way does he go?", "Which way does he go?"),
    ("Is there a letter R on the screen?", "Is there a letter R on the screen?"),     # single letters stay
    ("What is written on the sign?", "What is written on the sign?")])
def test_misspelt_question_words_are_corrected(typed, question):
    assert direct_question(typed) == question


@pytest.mark.parametrize("typed, question", [
    ("Hi! Could you tell me what's being cut here?", "What is being cut here?"),
    ("I'm curious, what sport are these kids playing?", "What sport are these kids playing?"),
    ("Quick question: who speaks?", "Who speaks?"), ("Okay, is there a dog?", "Is there a dog?"),
    ("Thanks! What else?", "What else?"), ("Well done?", "Well done?"), ("Hello", "Hello")])
def test_a_greeting_or_aside_before_the_question_is_left_out(typed, question):
    assert direct_question(typed) == question
