"""Name questions answered from what is said and written (vlm.perception.names)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.names import NAME_QUESTION, answer_name
from vlm.perception.ocr import ScreenText, TextItem
from vlm.perception.speech import Said, Transcript
from vlm.video.io import VideoInfo

NOTHING = "I can't tell: nothing is said or written in the video, and only words could tell that."


def _ctx(transcript, text, speech_status="done"):
    speech, read = PartState("speech", "What is said"), PartState("text", "On-screen text")
    if speech_status == "done":
        speech.finish("done", transcript)
    else:
        speech.status = speech_status
    read.finish("done", text)
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], [], [], [1.0],
                             {"speech": speech, "text": read})


@pytest.mark.parametrize("question, asks", [
    ("What is the dog called?", True), ("What is the dog's name?", True), ("What's his name?", True),
    ("What is the name of the man?", True), ("What do they call the dog?", True), ("Does the dog have a name?", True),
    ("What is the little girl's name?", True), ("And what is her name?", True),
    ("What is this dance called?", False), ("What is the name of this song?", False),   # no one's name
    ("What breed is the dog?", False)])
def test_a_question_about_someones_name_is_recognised(question, asks):
    assert (NAME_QUESTION.search(question) is not None) is asks


def test_without_words_said_or_written_a_name_cannot_be_told():
    silent, blank = Transcript(note="an audio track, but no speech heard"), ScreenText(frames_read=4)
    assert answer_name("What is the dog called?", _ctx(silent, blank)) == NOTHING
    marked = ScreenText([TextItem("shutterstock", 0.0, 9.0, kind="watermark")], 4)
    assert answer_name("What is the dog called?", _ctx(silent, marked)) == NOTHING   # a watermark names no one


@pytest.mark.parametrize("transcript, text, status", [
    (Transcript([Said(1.0, 2.0, "This is Bruno.")], "en", 0.9), ScreenText(frames_read=4), "done"),
    (Transcript(note="no audio track"), ScreenText([TextItem("BRUNO", 0.0, 2.0)], 4), "done"),
    (None, ScreenText(frames_read=4), "running")])
def test_words_that_may_name_them_leave_the_question_to_the_reader(transcript, text, status):
    assert answer_name("What is the dog called?", _ctx(transcript, text, status)) is None
