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
