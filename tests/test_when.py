"""'When' questions answered from the context's timed facts (vlm.perception.when)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.people import FramePeople, People, Person
from vlm.perception.vision import Segment
from vlm.perception.when import answer_when, is_when_question, timed_facts
from vlm.video.io import VideoInfo


def _person(near=False, posture="upright"):
    return Person(posture, 0, near, (0.3, 0.1, 0.7, 0.9))


def _ctx():
    """A 12 s clip: a hand near the face at 4-6 s, a drum in the second half, a stage all along."""
    people = People([FramePeople(t, [_person(near=4 <= t <= 6)], hand_near_face=4 <= t <= 6)
                     for t in (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)])
    state = PartState("people", "People")
    state.finish("done", people)
    segments = [Segment(0, 6, [("stage", 0.4)], 2.0, "none"),
                Segment(6, 12, [("stage", 0.3), ("drum", 0.3)], 2.0, "none")]
    return PerceptionContext(VideoInfo("x.mp4", 360, 30.0, 640, 360, "h264"), [1.0, 4.0, 7.0, 10.0], segments,
                             [], [("stage", 0.35)], [2.0] * 4, {"people": state})


def test_timed_facts_use_the_spans_the_context_gives():
    facts = {f.what: f for f in timed_facts(_ctx())}
    assert facts["a hand near the face"].spans == [(4.0, 6.0)]   # as the people line says it: "at 0:04-0:06"
    assert facts["drum seen"].spans == [(6, 12)] and facts["drum seen"].in_view
    assert "stage seen" not in facts   # in every segment: no time answers "when is the stage seen"
    assert "arms raised" not in facts  # nobody raised them


@pytest.mark.parametrize("question, expected", [("When does she touch her face?", True),
                                                ("At what time does the drum appear?", True),
                                                ("and when is it shown?", True),
                                                ("What is the man holding?", False),
                                                ("Is it sunny when they arrive?", False)])
def test_when_questions_are_recognised(question, expected):
    assert is_when_question(question) is expected


def test_speech_text_and_other_questions_are_left_to_the_reader(monkeypatch):
    import vlm.perception.when as when

    monkeypatch.setattr(when, "best_fact", lambda q, facts: pytest.fail("no matching needed"))
    for q in ['When does he say "hello"?', "When is the caption shown?", "When is the title written?",
              "What does she do?"]:
        assert answer_when(q, _ctx()) is None


@pytest.mark.slow
def test_a_matching_fact_answers_and_an_unanswerable_question_does_not():
    ctx = _ctx()
    assert answer_when("When does she put a hand to her mouth?", ctx) == "At 0:04-0:06 (a hand near the face)."
    assert answer_when("When does the drum appear?", ctx) == "At 0:06-0:12 (drum seen)."
    assert answer_when("When was this video recorded?", ctx) is None
    assert answer_when("When did the drum get its name?", ctx) is None   # not about its being in view


def test_the_assistant_answers_from_the_fact_only_with_the_reader(assistant, clip_path, monkeypatch):
    from vlm.perception.routes import ROUTES

    video = assistant.watch(clip_path)
    monkeypatch.setitem(ROUTES, "when", lambda q, ctx, history: "At 0:04 (a hand near the face)."
                        if q.startswith("When") else None)
    llm = assistant.answer(video, "When does it move ?", max_new_tokens=6)
    monkeypatch.setattr(assistant, "extractive", True)   # undone after the test: the assistant is shared
    assert assistant.answer(video, "When does it move ?", max_new_tokens=6) == "At 0:04 (a hand near the face)."
    assert assistant.answer(video, "what moves ?", max_new_tokens=6) != "At 0:04 (a hand near the face)."
    assert llm != "At 0:04 (a hand near the face)."
    # a request round the question reaches the route as the question ("Can you ..." is no yes/no question here)
    assert assistant.answer(video, "Can you tell me when it moves?", max_new_tokens=6) == \
        "At 0:04 (a hand near the face)."


def test_a_posture_the_people_line_leaves_out_has_no_time():
    """One misfit upside-down frame of six is not in the people line, so no 'when' answer may use it."""
    ctx = _ctx()
    people = ctx.part("people")
    people.frames[2].persons[0].posture = "upside down"
    assert "upside down" not in ctx.to_text()
    assert "upside down" not in {f.what for f in timed_facts(ctx)}
    people.frames[3].persons[0].posture = "upside down"               # two frames: reported, and a fact
    assert "upside down at 0:04-0:06" in ctx.to_text()
    assert {f.what: f.spans for f in timed_facts(ctx)}["upside down"] == [(4.0, 6.0)]


def _arms_ctx():
    """One arm up at 0, 2 and 4 s, both at 8 s, none at 6 s: the line splits them and gives only the frames seen."""
    raised = {0.0: 1, 2.0: 1, 4.0: 1, 6.0: 0, 8.0: 2}
    people = People([FramePeople(t, [Person("upright", n, False, (0.3, 0.1, 0.7, 0.9))]) for t, n in raised.items()])
    state = PartState("people", "People")
    state.finish("done", people)
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0, 5.0], [], [], [], [2.0] * 2,
                             {"people": state})


def test_one_arm_and_both_arms_are_separate_facts_with_the_frames_they_are_seen_in():
    ctx = _arms_ctx()
    assert "an arm raised at 0:00-0:04; both arms raised at 0:08" in ctx.to_text()
    facts = {f.what: f.spans for f in timed_facts(ctx)}
    assert facts["an arm raised"] == [(0.0, 4.0)] and facts["both arms raised"] == [(8.0, 8.0)]
    people = ctx.part("people")
    assert people.spans_text([0.0, 8.0]) == "0:00, 0:08"   # not 0:00-0:08: the frames between do not show it


@pytest.mark.slow
@pytest.mark.parametrize("question, expected", [("When does he raise both arms high?", "At 0:08 (both arms raised)."),
                                                ("When does he lift both arms up?", "At 0:08 (both arms raised)."),
                                                ("When does he raise a hand?", "At 0:00-0:04 (an arm raised).")])
def test_a_question_about_both_arms_gets_the_both_arms_time(question, expected):
    assert answer_when(question, _arms_ctx()) == expected


def _spoken(*segments):
    from vlm.perception.speech import Said, Transcript

    state = PartState("speech", "What is said")
    state.finish("done", Transcript([Said(*s) for s in segments], "en", 0.9))
    return PerceptionContext(VideoInfo("x.mp4", 360, 30.0, 640, 360, "h264"), [1.0, 7.0], [], [], [], [2.0] * 2,
                             {"speech": state})


@pytest.mark.parametrize("question, expected", [("When does someone start speaking?", "At 0:01."),
                                                ("When does the man start talking?", "At 0:01."),
                                                ('When does she say "see you tomorrow"?', "At 0:07."),
                                                ("When does he mention the weather?", "At 0:01."),
                                                ("When does he mention the price?", None),    # nothing said holds it
                                                ("When do the words appear?", None),          # text: the reader
                                                ("When does the music start?", None),
                                                ("What does he say?", None)])
def test_speech_when_questions_get_the_time_of_the_segment_with_their_words(question, expected):
    ctx = _spoken((1.4, 3.0, "The weather will be fine."), (7.2, 9.0, "See you tomorrow, everyone."))
    assert answer_when(question, ctx) == expected


def test_speech_when_questions_without_a_transcript_are_left_to_the_reader():
    ctx = PerceptionContext(VideoInfo("x.mp4", 360, 30.0, 640, 360, "h264"), [1.0], [], [], [], [2.0])
    assert answer_when("When does someone start speaking?", ctx) is None


def test_someone_coming_into_view_has_the_times_the_people_line_counts_them():
    from tests.helpers import people_context

    ctx = people_context([0, 0, 1, 1, 0])
    assert "(0 at 0:00-0:01, 1 at 0:02-0:03, 0 at 0:04)" in ctx.to_text()
    assert {f.what: f.spans for f in timed_facts(ctx)}["someone in view"] == [(2.0, 3.0)]
    assert answer_when("When does someone appear?", ctx) == "At 0:02-0:03 (someone in view)."
    assert answer_when("When is the person visible?", ctx) == "At 0:02-0:03 (someone in view)."
    assert answer_when("When does someone speak?", ctx) is None          # not about being in view
    always = people_context([1, 1, 1])            # in every frame: from the first analysed frame to the last
    assert {f.what: f.spans for f in timed_facts(always)}["someone in view in every analysed frame"] == [(0.0, 2.0)]
    assert answer_when("When does someone appear?", always) == \
        "At 0:00-0:02 (someone in view in every analysed frame)."
    assert "someone in view" not in {f.what[:15] for f in timed_facts(people_context([1, 2, 2]))}   # one, then two
    flicker = people_context([0, 1, 0, 1, 0, 1])                          # runs the line does not list
    assert "someone in view" not in {f.what for f in timed_facts(flicker)}


@pytest.mark.parametrize("history, expected", [
    (["What is on the stage?", "A drum."], "At 0:06-0:12 (drum seen)."),     # not the people line's "someone in view"
    (["What is there?", "A stage."], "Throughout: a stage is seen in every stretch (0:00-0:12)."),
    (["What does the sign say?", 'The text says "OPEN".'], None),             # a quote: the reader sees it
    (["Who is there?", "One person."], None)])                                # no object: the reader answers
def test_a_follow_up_pointing_back_at_a_thing_gets_that_things_times(monkeypatch, history, expected):
    import vlm.perception.when as when

    monkeypatch.setattr(when, "best_fact", lambda q, facts: pytest.fail("the referent answers, not a match"))
    turns = [{"role": "user", "content": history[0]}, {"role": "assistant", "content": history[1]}]
    assert answer_when("When does it appear?", _ctx(), history=turns) == expected
    assert when.pointed_object("When does the drum appear?", turns, _ctx()) == (False, None)   # it names its thing


@pytest.mark.slow
def test_an_event_the_pose_model_does_not_see_is_said_not_swapped_for_another():
    ctx = _ctx()        # a hand near the face, no arm raised
    assert answer_when("When does she raise her arm?", ctx) == \
        "I can't tell: pose detection finds no raised arm in the analysed frames."
    assert answer_when("When does she touch her face?", ctx) == "At 0:04-0:06 (a hand near the face)."
    assert "raised" not in (answer_when("When does a hand first appear?", ctx) or "")   # names no raising
    both = People([FramePeople(t, [Person("upright", 2 if t == 10 else 0, False, (.3, .1, .7, .9))])
                   for t in (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)])
    state = PartState("people", "People")
    state.finish("done", both)
    ctx.parts["people"] = state
    assert answer_when("When does she raise her arm?", ctx) == "At 0:10 (both arms raised)."   # one arm: no


def _written_and_said(*items):
    from vlm.perception.ocr import ScreenText, TextItem
    from vlm.perception.speech import Said, Transcript

    text, speech = PartState("text", "On-screen text"), PartState("speech", "What is said")
    text.finish("done", ScreenText([TextItem(*i) for i in items], 8))
    speech.finish("done", Transcript([Said(3.2, 5.0, "The ferry crosses the lake.")], "en", 0.9))
    return PerceptionContext(VideoInfo("x.mp4", 360, 30.0, 640, 360, "h264"), [1.0, 7.0], [], [], [], [2.0] * 2,
                             {"text": text, "speech": speech})


@pytest.mark.parametrize("question, expected", [
    ("When does the caption appear?", 'From 0:02 to 0:04 ("Grand Opening"); then at 0:07 ("Sale Today").'),
    ("when do the words show up on screen", 'From 0:02 to 0:04 ("Grand Opening"); then at 0:07 ("Sale Today").'),
    ('When is "sale today" shown?', "At 0:07."),                   # read in one frame: one time, not a made-up span
    ("When does the title about the sale appear?", "At 0:07."),
    ("When does the text about tractors appear?", None),         # nothing read names it: the reader
    ("When does the watermark appear?", None),
    ("When does someone start speaking?", "At 0:03.")])          # speech, not text
def test_text_when_questions_get_the_times_of_the_item_they_name(question, expected):
    ctx = _written_and_said(("Grand Opening", 2.0, 4.0), ("Sale Today", 7.0, 7.0), ("shutterstock", 0.0, 9.0, "watermark"))
    assert answer_when(question, ctx) == expected


def test_an_overlay_is_shown_throughout():
    ctx = _written_and_said(("LIVE", 0.0, 9.0, "overlay"))
    assert answer_when("When does the text appear?", ctx) == "Throughout the video (an overlay)."


def test_a_text_when_question_without_text_says_none_is_read():
    assert answer_when("When does the caption appear?", _written_and_said()) == \
        "I can't tell: no text appears on screen."
    marked = _written_and_said(("shutterstock", 0.0, 9.0, "watermark"))
    assert answer_when("At what time is the text shown?", marked) == \
        "I can't tell: no text appears on screen but a \"shutterstock\" watermark."


@pytest.mark.parametrize("last_answer, question, expected", [
    ('Someone says "The ferry crosses the lake." (0:03).', "And when?", "At 0:03."),
    ('Someone says "The ferry crosses the lake." (0:03).', "When is that said?", "At 0:03."),
    ('The text says "Sale Today", shown at 0:07.', "When does it show up?", "At 0:07."),
    ('The text says "Grand Opening".', "At what time?", "From 0:02 to 0:04."),
    # the question names another part than the quote's, or names a thing: not a follow-up about the quote
    ('Someone says "The ferry crosses the lake." (0:03).', "When does the text appear?",
     'From 0:02 to 0:04 ("Grand Opening"); then at 0:07 ("Sale Today").'),
    ('The text says "Grand Opening".', "When does the ferry leave?", None),
    ("One person.", "And when?", None)])                           # no quote to time
def test_a_bare_when_follow_up_gets_the_time_of_the_quote_before_it(last_answer, question, expected):
    ctx = _written_and_said(("Grand Opening", 2.0, 4.0), ("Sale Today", 7.0, 7.0))
    turns = [{"role": "user", "content": "What is it?"}, {"role": "assistant", "content": last_answer}]
    assert answer_when(question, ctx, history=turns) == expected
