"""Yes/no questions about the people line's events (vlm.perception.poses)."""
from __future__ import annotations

import pytest

from tests.helpers import people_context
from tests.test_when import _ctx
from vlm.perception.poses import answer_pose_event


@pytest.mark.slow
@pytest.mark.parametrize("question, expected", [
    ("Is her hand near her face?", "Yes: a hand near the face at 0:04-0:06."),
    ("Does she touch her face?", "Yes: a hand near the face at 0:04-0:06."),
    ("Does she raise her arm?", "No: pose detection finds no raised arm in the analysed frames."),
    ("Does she raise both arms?", "No: pose detection finds no one with both arms raised in the analysed frames."),
    ("Does she move her hands?", "No: pose detection finds no gesturing hands in the analysed frames."),
    ("Is she wearing a hat?", None), ("Does the dog jump?", None), ("Is the camera moving?", None),
    ("Does she shake hands?", None),                             # names no event
    ("Is she sitting?", None),                                   # a posture: not an event
    ("When does she touch her face?", None)])                    # not yes/no: the when route
def test_events_are_answered_from_the_people_line(question, expected):
    assert answer_pose_event(question, _ctx()) == expected


def test_nobody_seen_or_the_part_running_is_left_to_the_reader():
    assert answer_pose_event("Does he raise his arm?", people_context([0, 0])) is None
    ctx = _ctx()
    ctx.parts["people"].status = "running"
    ctx.parts["people"].result = None
    assert answer_pose_event("Does he raise his arm?", ctx) is None
