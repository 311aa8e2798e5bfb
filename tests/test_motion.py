"""Questions about how much moves, answered from the segment lines' motion words (vlm.perception.motion)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PerceptionContext
from vlm.perception.motion import answer_motion, motion_text
from vlm.perception.vision import Segment
from vlm.video.io import VideoInfo


def _ctx(*motions):
    """A clip of 2 s segments moving at the given speeds (% of the frame width per second)."""
    segments = [Segment(2.0 * k, 2.0 * (k + 1), [("stage", 0.4)], m, "none") for k, m in enumerate(motions)]
    return PerceptionContext(VideoInfo("x.mp4", 30 * 2 * len(motions), 30.0, 640, 360, "h264"),
                             [s.start + 1 for s in segments], segments, [], [("stage", 0.4)], list(motions), {})


def test_the_motion_words_come_with_their_times_larger_amounts_first():
    assert motion_text(_ctx(10, 10).segments) == "Slight motion throughout"
    assert motion_text(_ctx(10, 60, 60).segments) == "Strong motion at 0:02-0:06, slight at 0:00-0:02"
    assert "strong" in _ctx(10, 60, 60).to_text() and "slight" in _ctx(10, 60, 60).to_text()   # what it restates


@pytest.mark.parametrize("question, motions, expected", [
    ("Is there a lot of movement?", (10, 60, 60), "Yes: strong motion at 0:02-0:06, slight at 0:00-0:02 "),
    ("Is there a lot of movement?", (10, 10), "No: slight motion throughout "),
    ("Is there much motion in the video?", (20, 30, 10), "Yes: moderate motion at 0:00-0:04, slight at 0:04-0:06 "),
    ("Is the video static?", (1, 2), "Yes: no motion throughout "),
    ("Is the video static?", (1, 20), "No: moderate motion at 0:02-0:04, none at 0:00-0:02 "),
    ("Does anything move?", (1, 5), "Yes: slight motion at 0:02-0:04, none at 0:00-0:02 "),
    ("How much movement is there?", (60,), "Strong motion throughout ")])
def test_a_question_about_the_amount_is_answered_with_a_yes_or_no_where_it_asks_one(question, motions, expected):
    assert answer_motion(question, _ctx(*motions)).startswith(expected.rstrip())


@pytest.mark.parametrize("question", ["Which way do things move?", "Does the car move to the left?",
                                      "Is the camera moving?", "Is this slow motion?", "Is it moving?",
                                      "What is the man doing?", "Does the person move closer?"])
def test_other_questions_about_movement_are_left_to_the_reader(question):
    assert answer_motion(question, _ctx(10, 60)) is None


def test_without_segment_lines_nothing_is_answered():
    assert answer_motion("Is there a lot of movement?", _ctx()) is None
