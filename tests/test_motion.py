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
    assert motion_text(_ctx(60, 10, 60).segments) == "Strong motion at 0:00-0:02 and 0:04-0:06, slight at 0:02-0:04"
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


def _camera_ctx(*cameras):
    ctx = _ctx(*[10.0] * len(cameras))
    for s, c in zip(ctx.segments, cameras):
        s.camera = c
    return ctx


def test_the_camera_line_says_how_the_whole_picture_shifts_and_only_when_measured():
    assert "Camera: still (the background does not shift)." in _camera_ctx(0.5, 1.0).to_text()
    assert "Camera: moving at 0:00-0:02, still at 0:02-0:04" in _camera_ctx(20.0, 1.0).to_text()
    assert "Camera" not in _ctx(10, 10).to_text()                   # segments without a camera speed


@pytest.mark.parametrize("question, cameras, expected", [
    ("Is the camera moving?", (0.5, 1.0), "No: the camera looks still"),
    ("Is the camera moving?", (20.0, 30.0), "Yes: the camera moves"),
    ("Is the camera still?", (20.0, 30.0), "No: the camera moves"),
    ("Was this filmed on a tripod?", (0.5, 1.0), "Yes: the camera looks still"),
    ("Does the camera pan?", (20.0, 1.0), "Partly: the camera is moving at 0:00-0:02, still at 0:02-0:04"),
    ("Is the camera moving?", (20.0, 4.0), "Yes: the camera is moving at 0:00-0:02, slightly moving at 0:02-0:04"),
    ("How does the camera move?", (20.0, 30.0), "The camera moves")])
def test_a_question_about_the_camera_gets_the_camera_line(question, cameras, expected):
    from vlm.perception.motion import answer_camera

    assert answer_camera(question, _camera_ctx(*cameras)).startswith(expected)


def test_camera_questions_without_a_measured_camera_and_other_questions_are_left_to_the_reader():
    from vlm.perception.motion import answer_camera

    assert answer_camera("Is the camera moving?", _ctx(10, 10)) is None
    assert answer_camera("Is the man moving?", _camera_ctx(20.0, 1.0)) is None


@pytest.mark.parametrize("question, motions, cameras, expected", [
    ("Does the boat move?", (10, 10), (0.5, 0.5),
     "Possibly: something moves while the camera stays still (slight motion throughout), but the facts do not say "
     "whether it is the boat."),
    ("Is the boat still?", (10, 10), (0.5, 0.5), "Possibly not: something moves while the camera stays still"),
    ("Is the car moving?", (10, 60), (20.0, 30.0), "Possibly: something moves, but the camera moves too"),
    ("Does the boat move?", (1, 2), (0.5, 0.5), "No: nothing in the picture moves (no motion throughout)."),
    ("Is the boat still?", (1, 2), (0.5, 0.5), "Yes: nothing in the picture moves"),
    ("What is moving?", (10, 10), (0.5, 0.5), "The facts do not say what moves: something does while the camera"),
    ("What is moving?", (1, 1), (0.5, 0.5), "Nothing: no motion is measured")])
def test_whether_a_named_thing_moves_gets_what_the_motion_words_can_say(question, motions, cameras, expected):
    from vlm.perception.motion import answer_thing_moves

    ctx = _ctx(*motions)
    for s, c in zip(ctx.segments, cameras):
        s.camera = c
    assert answer_thing_moves(question, ctx).startswith(expected)


@pytest.mark.parametrize("question", ["Does the man move?", "Is she moving?", "Does the camera move?",
                                      "Which way does the boat move?", "Does the car move to the left?",
                                      "Is there a lot of movement?"])
def test_people_the_camera_directions_and_amounts_are_not_the_named_thing_route(question):
    from vlm.perception.motion import answer_thing_moves

    assert answer_thing_moves(question, _camera_ctx(0.5, 0.5)) is None
