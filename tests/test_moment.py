"""Questions about the video file (vlm.perception.videoinfo) and about a point of it (vlm.perception.moment)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.moment import answer_moment, asked_moment
from vlm.perception.ocr import ScreenText, TextItem
from vlm.perception.people import FramePeople, People, Person
from vlm.perception.routes import extractive_answer
from vlm.perception.speech import Said, Transcript
from vlm.perception.videoinfo import answer_video_info
from vlm.perception.vision import Segment
from vlm.video.io import VideoInfo


def _done(name, result):
    state = PartState(name, name.title())
    state.finish("done", result)
    return state


def _ctx(cuts=()):
    """A 12 s clip at 30 fps: nobody, then one person who raises both arms at 10 s; a drum in the second half;
    "hello there" said at 7-8 s; a caption at 0-3 s."""
    people = People([FramePeople(t, [] if t < 6 else [Person("upright", 2 if t == 10 else 0, False, (.3, .1, .7, .9))])
                     for t in (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)])
    speech = Transcript([Said(7.0, 8.0, "hello there")])
    text = ScreenText([TextItem("WELCOME", 0.0, 3.0)])
    segments = [Segment(0, 6, [("stage", 0.4)], 2.0, "none"),
                Segment(6, 12, [("drum", 0.3), ("stage", 0.3)], 60.0, "left")]
    return PerceptionContext(VideoInfo("x.mp4", 360, 30.0, 640, 360, "h264"), [1.0, 4.0, 7.0, 10.0], segments,
                             list(cuts), [("stage", 0.35)], [2.0] * 4,
                             {"people": _done("people", people), "speech": _done("speech", speech),
                              "text": _done("text", text)})


@pytest.mark.parametrize("question, expected", [
    ("How long is the video?", "The video is 0:12 long (12.0 seconds)."),
    ("What's the duration of this clip?", "The video is 0:12 long (12.0 seconds)."),
    ("What is the frame rate?", "30 frames per second (360 frames in 12.0 seconds)."),
    ("How many frames are there?", "360 frames at 30 frames per second; 4 of them were analysed."),
    ("What is the resolution of the video?", "640x360 pixels (width x height), landscape."),
    ("How many scenes are there?", "One continuous shot: the cut detector finds no scene cuts."),
    ("Is it one continuous shot?", "Yes, one continuous shot: the cut detector finds no scene cuts."),
    ("Are there any cuts?", "No, one continuous shot: the cut detector finds no scene cuts."),
    ("How many seconds long is it?", "The video is 0:12 long (12.0 seconds)."),
    ("What is the video's duration?", "The video is 0:12 long (12.0 seconds)."),
    ("Is it a vertical video?", "No, 640x360 pixels (width x height), landscape."),
    ("Is the video portrait or landscape?", "640x360 pixels (width x height), landscape."),
])
def test_questions_about_the_file_are_answered_from_its_probe(question, expected):
    assert answer_video_info(question, _ctx()) == expected


def test_how_long_is_it_is_the_videos_length_only_when_it_opens_the_conversation():
    assert answer_video_info("How long is it?", _ctx()) == "The video is 0:12 long (12.0 seconds)."
    after = [{"role": "user", "content": "What is on the table?"}, {"role": "assistant", "content": "A snake."}]
    assert answer_video_info("How long is it?", _ctx(), after) is None      # the snake, maybe


def test_cuts_are_counted_and_listed():
    ctx = _ctx(cuts=[4.0, 9.0])
    assert answer_video_info("How many scenes are there?", ctx) == "3 shots: the scene cuts at 0:04 and 0:09."
    assert answer_video_info("Is it a single take?", ctx).startswith("No, 3 shots")
    assert answer_video_info("Does the scene change?", ctx).startswith("Yes, 3 shots")


@pytest.mark.parametrize("question", ["How long does he stay upside down?",
                                      "How long is the man on screen?", "How many shots does he fire?", "How many cuts does the chef make?",
                                      "What is cut in the video?", "What is being cut in the clip?",
                                      "What is the man holding?", "How big is the dog?"])
def test_questions_not_about_the_file_are_left_alone(question):
    assert answer_video_info(question, _ctx()) is None


@pytest.mark.parametrize("question, expected", [
    ("What happens at the end?", ("end", None, None)),
    ("What happens first?", ("start", None, None)),
    ("What is the first thing that happens?", ("start", None, None)),
    ("What's the final thing shown?", ("end", None, None)),
    ("What is the last thing we see?", ("end", None, None)),
    ("What is the first thing he picks up?", None),            # a thing, not a moment
    ("How does the video begin?", ("start", None, None)),
    ("What is shown in the middle of the clip?", ("middle", None, None)),
    ("What happens at 0:07?", ("time", 7.0, None)),
    ("And what do we see after 10 seconds?", ("time", 10.0, None)),
    ("What happens in the last 3 seconds?", ("span", None, (9.0, 12.0))),
    ("What happens at the end of the video?", ("end", None, None)),
    ("What occurs at the end?", ("end", None, None)),
    ("Describe the end of the video.", ("end", None, None)),
    ("What is at the start?", ("start", None, None)),
    ("What's happening at 0:03?", ("time", 3.0, None)),
    ("What is at the start of the table?", None),
    ("What do you see at the end of the hallway?", None),     # a place, not a time
    ("What happens?", None),
    ("What is the man holding at the end?", None),
    ("When does the drum appear?", None),
])
def test_the_point_asked_about_is_found(question, expected):
    assert asked_moment(question, 12.0) == expected


def test_a_point_is_answered_with_that_stretchs_facts_only():
    ctx = _ctx(cuts=[9.0])
    start = answer_moment("What happens at the start?", ctx)
    assert start == ('At the start (0:00-0:06): the frames show a stage (no motion). Nobody is seen. '
                     'On screen: "WELCOME".')
    end = answer_moment("What happens at the end?", ctx)
    assert end == ('At the end (0:06-0:12): the frames show a drum and a stage (strong motion, mostly leftward). '
                   'One person is seen: both arms raised at 0:10. Someone says "hello there" (0:07). '
                   'The scene cuts at 0:09.')
    assert answer_moment("What happens at 0:06?", ctx).startswith("At 0:06-0:12:")  # a boundary: the later stretch
    assert answer_moment("What happens at 0:30?", ctx) == "The video is only 0:12 long, so nothing happens at 0:30."


def test_the_routes_are_tried_in_order_and_name_the_one_that_answered():
    ctx = _ctx()
    assert extractive_answer("How long is the video?", ctx)[0] == "video_info"
    assert extractive_answer("What happens at the end?", ctx)[0] == "moment"
    assert extractive_answer("Is there a drum?", ctx) == ("present", "Yes, a drum.")
    assert extractive_answer("Is the man happy?", ctx)[0] == "opinion"
    assert extractive_answer("Why is the man here?", ctx) is None


@pytest.mark.parametrize("question", ["Can you tell me what happens at the end?", "Tell me what happens at the end.",
                                      "Hey, could you please tell me what happens at the end?",
                                      "I'd like to know what happens at the end."])
def test_a_politely_wrapped_question_reaches_the_route_of_the_question_it_holds(question):
    assert extractive_answer(question, _ctx()) == extractive_answer("What happens at the end?", _ctx())


def test_a_wrapper_is_taken_off_only_before_a_question_word():
    from vlm.english import plain_question

    assert plain_question("Can you tell me when she speaks?") == "when she speaks?"
    assert plain_question("Can you tell me about the audio?") == "Can you tell me about the audio?"   # its own route
    assert plain_question("Tell me if anything is said.") == "Tell me if anything is said."


def _said(answer):
    return [{"role": "user", "content": "..."}, {"role": "assistant", "content": answer}]


def test_what_happens_next_is_the_stretch_after_the_previous_answers_last_time():
    ctx = _ctx(cuts=[9.0])
    start = answer_moment("What happens at the start?", ctx)
    nxt = answer_moment("What happens next?", ctx, _said(start))
    assert nxt.startswith("Next (0:06-0:12): the frames show a drum and a stage")
    assert answer_moment("And then?", ctx, _said(nxt)) == "Nothing more: the video ends at 0:12."
    assert answer_moment("And after that?", ctx, _said("It looks like drumming.")) is None   # no time to go on from
    assert answer_moment("What happens next?", ctx) is None                                 # nothing before it
    assert answer_moment("What is the man holding next to the drum?", ctx, _said(start)) is None


@pytest.mark.parametrize("question, asked", [
    ("And at the end?", ("end", None, None)), ("What about the start?", ("start", None, None)),
    ("And in the middle?", ("middle", None, None)), ("And at 0:07?", ("time", 7.0, None)),
    ("How about the beginning?", ("start", None, None)),
    ("And at the end of the hall?", None), ("And the dog?", None)])
def test_a_follow_up_naming_only_a_point_is_a_moment_question(question, asked):
    assert asked_moment(question, 12.0) == asked
