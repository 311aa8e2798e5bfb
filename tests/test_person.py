"""'Describe the man.' answered from the people line (vlm.perception.person)."""
from __future__ import annotations

import pytest

from tests.helpers import people_context
from vlm.perception.person import NOT_IN_FACTS, answer_describe_person


@pytest.mark.parametrize("question, asks", [
    ("Describe the man.", True), ("Tell me about the baby.", True), ("What does the woman look like?", True),
    ("Can you describe the two dancers in the video?", True), ("What can you tell me about her?", True),
    ("Describe the video.", False), ("Describe the room.", False), ("Tell me about the dog.", False),
    ("What does the man hold?", False)])
def test_questions_about_the_people_are_read(question, asks):
    assert (answer_describe_person(question, people_context([1, 1])) is not None) is asks


def test_the_answer_gives_the_count_and_says_what_the_facts_cannot():
    answer = answer_describe_person("Describe the man.", people_context([1, 2, 1]))
    assert answer.startswith("Up to 2 people are seen at once")
    assert answer.endswith(NOT_IN_FACTS)
    assert answer_describe_person("Describe the man.", people_context([0, 0])) == f"Nobody is seen. {NOT_IN_FACTS}"


def test_a_likely_activity_is_given_only_when_it_is_not_a_long_shot():
    ctx = people_context([1])
    ctx.activity = [("braiding hair", 0.3)]
    assert "The likely activity is braiding hair (a guess)." in answer_describe_person("Describe her.", ctx)
    ctx.activity = [("sit ups", 0.02)]
    assert "sit ups" not in answer_describe_person("Describe her.", ctx)


@pytest.mark.parametrize("counts, expected", [([1, 1], "One person."), ([2, 2, 2], "Two people."),
                                              ([0, 0], "No one is seen (pose and face detection)."),
                                              ([0, 1, 0], "One person, seen at 0:01."),
                                              ([1, 2, 1], "Up to two people at once.")])
def test_who_is_in_the_video_is_the_people_count(counts, expected):
    from vlm.perception.person import answer_who

    assert answer_who("Who is in the video?", people_context(counts)) == expected
    assert answer_who("Who is the man?", people_context(counts)) is None       # who someone is: not a count


def _faces(counts, faces=0, hands=0):
    ctx = people_context(counts)
    for f in ctx.part("people").frames:
        f.faces, f.hands = faces, hands
    return ctx


@pytest.mark.parametrize("ctx, expected", [
    (_faces([1, 1], faces=2), "Yes: 2 faces close to the camera (face detection)."),
    (_faces([1, 1]), "Possibly: one person is seen (pose detection), but no face close to the camera is detected."),
    (_faces([0, 0], hands=2), "No: only hands are seen (a close-up: no face or body in view)."),
    (_faces([0, 0]), "No: nobody is seen (pose and face detection).")])
def test_whether_a_face_is_seen_comes_from_the_faces_bodies_and_hands_detected(ctx, expected):
    from vlm.perception.person import answer_face_seen

    for question in ("Can you see a face?", "Is his face visible?", "Are there any faces?", "Is there a face?"):
        assert answer_face_seen(question, ctx) == expected


@pytest.mark.parametrize("question", ["Is his hand near his face?", "Does she touch her face?",
                                      "Is she washing her face?", "Is he smiling?", "What does his face look like?"])
def test_other_questions_about_faces_are_not_the_face_route(question):
    from vlm.perception.person import answer_face_seen

    assert answer_face_seen(question, _faces([1], faces=1)) is None
