"""The reader's training data: fabricated contexts render as the assistant's own, answers follow the facts, and
training puts the facts in the prompt."""
from __future__ import annotations

import json

import numpy as np
import pytest

from adapters import reader_qa as rq
from adapters.context_synth import fabricate
from adapters.reader_data import conversation, rows_for
from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.ocr import ScreenText, TextItem
from vlm.perception.people import FramePeople, People, Person
from vlm.perception.speech import Said, Transcript
from vlm.perception.vision import Segment
from vlm.video.io import VideoInfo

NAMES = ["golden retriever", "drum", "stage", "bell pepper", "lakeshore", "laptop computer"]
ACTIONS = ["playing drums", "cooking", "skateboarding", "yoga"]


def _ctx(speech=None, text=None, people=None, labels=(("drum", 0.5),), activity=(("playing drums", 0.3),)):
    info = VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264")
    parts = {}
    for name, title, result in [("speech", "What is said", speech), ("text", "What is written", text),
                                ("people", "People", people)]:
        if result is not None:
            parts[name] = PartState(name, title)
            parts[name].finish("done", result)
    return PerceptionContext(info, [1.0, 5.0], [Segment(0, 10, list(labels), 40.0, "right")], [], list(labels),
                             [40.0, 40.0], parts, list(activity))


def test_fabricated_contexts_render_in_the_assistants_format():
    rng = np.random.default_rng(0)
    texts = [fabricate(rng, NAMES, ACTIONS).to_text() for _ in range(50)]
    assert all(t.startswith("Video: ") and "Objects seen overall" in t for t in texts)
    assert any("What is said (speech recognition, English)" in t for t in texts)
    assert any("What is said: no audio track." in t for t in texts)
    assert any("Watermark:" in t for t in texts) and any("On-screen text: none seen." in t for t in texts)
    assert any("People: nobody seen." in t for t in texts) and any("2 people" in t for t in texts)


def test_answers_say_what_the_facts_say_or_that_they_cannot_tell():
    speech = Transcript([Said(2.0, 4.0, "The Tigers win the championship.")], "en", 0.99)
    text = ScreenText([TextItem("FINAL SCORE 54 - 48", 3.0, 9.0), TextItem("shutterstock", 0, 10, "watermark")], 4)
    people = People([FramePeople(t, [Person("upright", 0, False, (0, 0, 1, 1))] * 2) for t in (1.0, 4.0, 7.0)])
    f = rq.Facts(_ctx(speech, text, people))
    assert rq.said(f) == 'Someone says "The Tigers win the championship." (0:02).'
    assert rq.written(f) == 'The text says "FINAL SCORE 54 - 48", shown at 0:03-0:09.'
    assert rq.count(f) == "Two people."
    assert rq.direction(f) == "Mostly to the right."
    assert rq.activity(f).startswith("It looks like playing drums.")
    assert rq.when_text(f, np.random.default_rng(0))[1] == "From 0:03 to 0:09."
    silent = rq.Facts(_ctx(Transcript(note="no audio track"), ScreenText([], 4, "none seen"), People([], "nobody")))
    assert rq.said(silent) == "Nothing is said: the video has no audio track."
    assert rq.written(silent) == "No text appears on screen." and rq.count(silent) == "No one is visible."
    assert rq.obj(silent, "animal") == "I can't see an animal in the video."
    assert rq.obj(rq.Facts(_ctx(labels=[("golden retriever", 0.6)])), "animal") == "A golden retriever."
    assert rq.place(rq.Facts(_ctx(labels=[("stage", 0.4)])), False) == "It looks like a stage."
    assert 2 <= rq.describe(f).count(".") <= 6


def test_a_posture_the_people_line_leaves_out_is_in_no_answer():
    """One misfit upside-down frame of eight is not reported by the people line: no answer may use it."""
    frames = [FramePeople(float(t), [Person("upside down" if t == 3 else "upright", 0, False, (0.3, 0.1, 0.7, 0.9))])
              for t in range(8)]
    f = rq.Facts(_ctx(people=People(frames)))
    assert "upside down" not in f.ctx.to_text() and "upside down" not in rq.describe(f)
    assert rq.posture_answer(f, "upside down") == "No, no one is seen upside down."
    assert {rq.when_people(f, np.random.default_rng(s))[1] for s in range(40)
            if "handstand" in rq.when_people(f, np.random.default_rng(s))[0]} <= {rq.CANT}
    frames[4].persons[0].posture = "upside down"                     # two frames: reported, and answered
    f = rq.Facts(_ctx(people=People(frames)))
    assert "upside down at 0:03-0:04" in f.ctx.to_text() and rq.posture_answer(f, "upside down") == "Yes, at 0:03-0:04."


def test_hands_and_things_seen_answer_with_the_times_the_facts_give():
    def person(wrist):
        return Person("upright", 0, False, (0.3, 0.1, 0.7, 0.9), wrists=(wrist, None), shoulders=(0.5, 0.3), scale=0.2)

    signing = People([FramePeople(1.0, [person((0.4, 0.6))]), FramePeople(2.0, [person((0.5, 0.3))])])
    still = People([FramePeople(t, [person((0.4, 0.6))]) for t in (1.0, 2.0)])
    assert rq.hands(rq.Facts(_ctx(people=signing))) == "Moving them: gesturing at 0:01-0:02."
    assert rq.hands(rq.Facts(_ctx(people=still))).startswith("Nothing the pose model can tell")
    assert rq.hands(rq.Facts(_ctx(people=People([], "nobody seen")))) == "I can't see anyone."
    ctx = _ctx(people=signing)
    ctx.segments = [Segment(0, 3, [("drum", 0.5)], 5.0, "none"), Segment(3, 6, [("drum", 0.4)], 5.0, "none"),
                    Segment(6, 9, [("stage", 0.3)], 5.0, "none"), Segment(9, 12, [("drum", 0.3)], 5.0, "none")]
    f = rq.Facts(ctx)
    assert rq.seen_spans(f, "drum") == [(0, 6), (9, 12)]
    answers = {rq.when_seen(f, np.random.default_rng(s), NAMES)[1] for s in range(40)}
    assert "From 0:00 to 0:06 and from 0:09 to 0:12." in answers and "From 0:06 to 0:09." in answers
    assert any(a.startswith("No ") and a.endswith(" is seen.") for a in answers)
    gestures = {rq.when_people(f, np.random.default_rng(s)) for s in range(60)}
    assert any(a == "At 0:01-0:02." and ("gestur" in q or "hands" in q or "sign" in q) for q, a in gestures)


def test_conversations_follow_up_and_never_repeat_a_question():
    rng = np.random.default_rng(1)
    rows = rows_for(fabricate(rng, NAMES, ACTIONS), "clip.mp4", rng, NAMES, 200, "fabricated")
    for r in rows:
        qs = [t["value"] for t in r["conversations"][::2]]
        assert len(qs) == len(set(qs)) and 1 <= len(qs) <= 7
        assert [t["from"] for t in r["conversations"]] == ["human", "gpt"] * len(qs)
    follow = [r for r in rows if any(t["value"].startswith("And ") for t in r["conversations"][::2])]
    assert follow, "some turns refer back to the one before"
    unanswerable = [t for r in rows for q, t in zip(r["conversations"][::2], r["conversations"][1::2])
                    if "name" in q["value"] and "'s name" in q["value"]]
    assert unanswerable and all(t["value"] == rq.CANT for t in unanswerable)


def test_training_puts_the_facts_in_the_prompt(tmp_path, tiny, clip_path):
    from adapters.data import load_training_data
    from adapters.train import tokenize
    from tests.helpers import tiny_assistant

    data = tmp_path / "train.jsonl"
    row = {"video": str(clip_path), "facts": "the square moves right",
           "conversations": [{"from": "human", "value": "which way does it move ?"},
                             {"from": "gpt", "value": "right ."}]}
    data.write_text(json.dumps(row) + "\n" + json.dumps({**row, "facts": ""}) + "\n")
    from adapters.data import DataError

    with pytest.raises(DataError, match="line 2: 'facts' must be a non-empty string"):
        load_training_data(data)
    data.write_text(json.dumps(row) + "\n")
    examples = load_training_data(data)
    assistant = tiny_assistant(*tiny)
    with_facts, = tokenize(assistant, examples, perception=True)
    without, = tokenize(assistant, examples, perception=False)
    decoded = assistant.processor.tokenizer.decode(with_facts["input_ids"])
    assert "square moves right" in decoded and "square moves right" not in \
        assistant.processor.tokenizer.decode(without["input_ids"])
    assert (with_facts["labels"] != -100).sum() == (without["labels"] != -100).sum()  # the answer, either way
