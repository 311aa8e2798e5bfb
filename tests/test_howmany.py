"""Yes/no questions about a number of people, checked against the people count (vlm.perception.howmany)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.howmany import answer_how_many, asked_number
from vlm.perception.people import FramePeople, People, Person
from vlm.video.io import VideoInfo


def _ctx(counts):
    box = (0.3, 0.1, 0.7, 0.9)
    people = People([FramePeople(float(t), [Person("upright", 0, False, box) for _ in range(n)])
                     for t, n in enumerate(counts)])
    state = PartState("people", "People")
    state.finish("done", people)
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], [], [], [2.0],
                             {"people": state})


@pytest.mark.parametrize("question, asked", [("Are there more than two people?", (">", 2)),
                                             ("Is there only one child?", ("==", 1)),
                                             ("Are there at least 3 players?", (">=", 3)),
                                             ("Does the video show two young dancers?", ("==", 2)),
                                             ("Are there fewer than four kids?", ("<", 4)),
                                             ("Is there a person?", None), ("Are there two dogs?", None),
                                             ("How many people are there?", None),
                                             ("Is he one of the players?", None),
                                             ("Do the two men move closer together?", None)])
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


@pytest.mark.parametrize("pieces, counts, expected", [
    (["No, no one is ", "visible wearing a hat.", " More."], [1, 1], "I can't tell from the video."),
    (["I can't see ", "anyone."], [0, 1], "I can't tell from the video."),
    (["No, no one is ", "visible wearing a hat.", " More."], [0, 0], "No, no one is visible wearing a hat. More."),
    (["No, no one is seen ", "moving."], [1], "No, no one is seen moving."),      # about motion, not presence
    (["One person. ", "They stand."], [1], "One person. They stand.")])
def test_an_answer_that_says_nobody_is_there_while_someone_is_seen_is_not_given(pieces, counts, expected):
    from vlm.perception.checks import checked_start

    assert "".join(checked_start(pieces, _ctx(counts))) == expected


def test_the_check_stops_the_generation_it_replaces():
    from vlm.perception.checks import checked_start

    made = []

    def pieces():
        for p in ["No one is visible.", " and", " more", " words"]:
            made.append(p)
            yield p
    assert list(checked_start(pieces(), _ctx([1]))) == ["I can't tell from the video."]
    assert made == ["No one is visible."]   # nothing after the first sentence was asked for


@pytest.mark.parametrize("question, history, expected", [
    ("How many bottles are on the table?", (), "I can't tell how many bottles there are: the facts give a number "
                                               "for people only."),
    ("And how many are there at the start?", [{"role": "user", "content": "What is on the table?"}],
     "I can't tell how many there are: the facts give a number for people only."),
    ("And how many are there?", [{"role": "user", "content": "Who is in the video?"}], None),
    ("How many fencers are there?", (), None), ("How many divers jump?", (), None),   # people
    ("How many strings does it have?", (), None),                                     # not a thing ImageNet names
    ("How many times does he jump?", (), None)])
def test_how_many_things_is_said_to_be_beyond_the_facts(question, history, expected):
    from vlm.perception.howmany import answer_how_many_things

    assert answer_how_many_things(question, history) == expected


@pytest.mark.parametrize("question, pieces, expected", [
    ("Is this a sport?", ["Yes, something is said: ", "an audio track."], "I can't tell from the video."),
    ("Is this a sport?", ["It looks like boxing."], "It looks like boxing."),
    ("Is there any music?", ["No one speaks: there is sound, ", "but no speech."],
     "No one speaks: there is sound, but no speech."),                      # a question about sound
    ("What does the sign say?", ['Someone says "hi" (0:01).'], 'Someone says "hi" (0:01).'),
    ("What is written on his shirt?", ['The text says "MISFITS".'], 'The text says "MISFITS".')])
def test_an_answer_about_speech_to_a_question_about_no_sound_is_not_given(question, pieces, expected):
    from vlm.perception.checks import checked_start

    assert "".join(checked_start(pieces, _ctx([1]), question)) == expected


@pytest.mark.parametrize("question, answer, given", [
    ("Is it day or night?", "Indoors.", False),
    ("What passes by in the video?", "It looks like a road.", False),
    ("Is the person outdoors?", "Indoors.", True),
    ("Where is this filmed?", "It looks like a hotel room.", True),
    ("Describe the room.", "It looks like a dining room. One person can be seen.", True),
    ("What is he doing?", "It looks like boxing.", True),          # an activity, not a place
    ("What is he doing?", "It looks like a boxing ring.", False)])
def test_a_place_answer_to_a_question_about_no_place_is_not_given(question, answer, given):
    from vlm.perception.checks import checked_start

    assert ("".join(checked_start([answer], _ctx([1]), question)) == answer) is given


def test_every_question_of_the_benchmark_about_speech_counts_as_one_about_sound():
    """The speech check must never fire on a question the benchmark files as 'said' (in either phrasing)."""
    import json
    from pathlib import Path

    from vlm.perception.speech import SOUND_QUESTION

    root = Path(__file__).resolve().parents[1] / "eval" / "qa"
    kinds = {q["id"]: q["kind"] for q in map(json.loads, (root / "questions.jsonl").read_text().splitlines())}
    said = [t for f in ("questions.jsonl", "paraphrases.jsonl") for q in map(json.loads, (root / f).read_text()
            .splitlines()) if kinds[q["id"]] == "said" for t in q["turns"][-1:]]
    assert len(said) >= 10
    assert [t for t in said if not SOUND_QUESTION.search(t)] == []


@pytest.mark.parametrize("question, answer, given", [
    ("Does the person go up or down?", "Mostly to the right.", False),
    ("Does the person go up or down?", "Mostly downward.", True),
    ("Does the child ride towards the camera first or away from it?", "Mostly to the right.", False),
    ("Does the child ride towards the camera first or away from it?", "Towards it.", True),
    ("Do the two men move closer together or further apart?", "No, no one is seen close to the top.", False),
    ("Which way does the car drive?", "Mostly to the right.", True),       # no choice offered
    ("Is this indoors or outdoors?", "Outdoors.", True)])
def test_a_choice_between_directions_is_answered_with_one_of_them(question, answer, given):
    from vlm.perception.checks import checked_start

    assert ("".join(checked_start([answer], _ctx([1]), question)) == answer) is given
