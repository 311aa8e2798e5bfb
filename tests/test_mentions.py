"""Yes/no questions about what is said or written, answered by looking their words up (vlm.perception.mentions)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.mentions import answer_mentioned, content_words
from vlm.perception.ocr import ScreenText, TextItem
from vlm.perception.speech import Said, Transcript
from vlm.video.io import VideoInfo


def _ctx(said=(), text=(), note=""):
    parts = {}
    for name, title, result in [("speech", "What is said", Transcript([Said(*s) for s in said], "en", 0.9, note)),
                                ("text", "On-screen text", ScreenText([TextItem(*t) for t in text]))]:
        parts[name] = PartState(name, title)
        parts[name].finish("done", result)
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0, 7.0], [], [], [], [2.0] * 2,
                             parts)


CTX = _ctx(said=[(1.4, 3.0, "The ferry crosses the lake every hour."), (6.2, 8.0, "See you tomorrow.")],
           text=[("Chess Championship", 2.0, 4.0), ("shutterstock", 0.0, 10.0, "watermark")])


@pytest.mark.parametrize("question, expected", [
    ("Does anyone mention a lake?", 'Yes: "The ferry crosses the lake every hour." (0:01).'),
    ("Do they talk about lakes and ferries?", 'Yes: "The ferry crosses the lake every hour." (0:01).'),
    ('Does she say "see you tomorrow"?', 'Yes: "See you tomorrow." (0:06).'),
    ("Does he say anything about boats?",
     'No, not in what is heard: "The ferry crosses the lake every hour. See you tomorrow."'),
    ("Does she mention the book?",
     'No, not in what is heard: "The ferry crosses the lake every hour. See you tomorrow."'),
    ("Is the word chess written on screen?", 'Yes: "Chess Championship" at 0:02-0:04.'),
    ("Does the sign say Championship?", 'Yes: "Chess Championship" at 0:02-0:04.'),
    ("Does the title mention football?", 'No; the text on screen reads "Chess Championship".'),
    ("Is there a shutterstock logo?", 'Yes: "shutterstock" (a watermark) at 0:00-0:10.'),
    ("Does the caption say shutterstock?", 'Yes: "shutterstock" (a watermark) at 0:00-0:10.')])
def test_the_words_asked_about_are_looked_up_and_quoted(question, expected):
    assert answer_mentioned(question, CTX) == expected


@pytest.mark.parametrize("question", ["Does anyone speak?", "Is there any text on the screen?",
                                      "Is anyone talking in this video?", "Is there any text or watermark?",
                                      "Can you hear a dog barking?",        # a sound, not words
                                      "Is the man wearing a hat?", "What does he say about the lake?",
                                      "Is the book open?", "Does he hold a sign?",   # things, not their words
                                      "When does he mention the lake?",
                                      "Is she talking to the camera?",       # who the words are for
                                      "Can you hear someone talking?",       # "can" named no words
                                      "Could you tell me if people speak?"])
def test_questions_that_name_no_words_or_are_not_yes_no_are_left_to_the_reader(question):
    assert answer_mentioned(question, CTX) is None


def test_no_speech_says_why_and_a_running_part_is_left_to_the_reader():
    assert answer_mentioned("Does anyone mention a lake?", _ctx(note="no audio track")) == \
        "No, nothing is said (no audio track)."
    running = PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], [], [], [2.0],
                                {"speech": PartState("speech", "What is said")})
    assert answer_mentioned("Does anyone mention a lake?", running) is None


def test_plurals_and_question_words_are_folded_away():
    assert content_words("Do they talk about ferries and boats?") == {"ferry", "boat"}
    assert content_words("Does the sign say STOP?", about_text=True) == {"stop"}
    assert content_words("Does she mention the poster?") == {"poster"}   # speech: the poster is the content


def test_word_forms_and_whispers_run_on_words_still_match():
    ctx = _ctx(said=[(0.5, 4.0, "He repaired our skateboardy dog."), ])
    assert answer_mentioned("Does he talk about repairing a skateboard?", ctx) == \
        'Yes: "He repaired our skateboardy dog." (0:00).'
    assert answer_mentioned("Does he mention a bed?", ctx).startswith("No")   # short words must match whole


def test_a_word_misread_by_a_letter_still_matches_and_a_different_word_does_not():
    ctx = _ctx(text=[("MISFIS", 1.0, 1.0)], said=[(0.0, 2.0, "The fairy crosses the lake.")])
    assert answer_mentioned("Does his sweatshirt say MISFITS?", ctx) == 'Yes: "MISFIS" at 0:01.'
    assert answer_mentioned("Does anyone mention a ferry?", ctx).startswith("No")
