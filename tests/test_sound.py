"""Questions about the sound as a whole, answered from the speech part's finding (vlm.perception.sound)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.sound import answer_sound, answer_transcript
from vlm.perception.speech import Said, Transcript
from vlm.video.io import VideoInfo


def _ctx(transcript=None, status="done"):
    state = PartState("speech", "What is said")
    if status == "done":
        state.finish("done", transcript)
    else:
        state.status = status
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], [], [], [1.0],
                             {"speech": state})


NO_TRACK = Transcript(note="no audio track")
SILENT = Transcript(note="an audio track, but it is silent")
SOUND = Transcript(note="an audio track, but no speech heard")
SPEECH = Transcript([Said(1.0, 2.0, "Hello there.")], "en", 0.9)


@pytest.mark.parametrize("question, transcript, expected", [
    ("Tell me about the audio.", SOUND,
     "There is sound, but no speech is heard; the facts do not say what the sound is."),
    ("What can you hear?", SPEECH, 'Someone speaks: "Hello there." (0:01).'),
    ("Is there any sound?", NO_TRACK, "No, the video has no audio track."),
    ("Is the video silent?", SILENT, "Yes, the audio track is silent."),
    ("Is the video silent?", SOUND,
     "No, there is sound, but no speech is heard; the facts do not say what the sound is."),
    ("Is there any music?", SOUND,
     "I can't tell whether there is music. There is sound, but no speech, and the facts do not say what the sound is."),
    ("Is there any music?", NO_TRACK, "No music can be heard: the video has no audio track."),
    ("Does it have sound?", SILENT, "No, the audio track is silent."),
    ("And what does it sound like?", SOUND,
     "There is sound, but no speech is heard; the facts do not say what the sound is."),
])
def test_the_sound_is_described_as_the_speech_part_found_it(question, transcript, expected):
    assert answer_sound(question, _ctx(transcript)) == expected


@pytest.mark.parametrize("question, transcript, expected", [
    ("Is there any speech?", SOUND, "No, no speech is heard; there is sound, but the facts do not say what it is."),
    ("Does anyone talk?", NO_TRACK, "No, nothing is said: the video has no audio track."),
    ("Is the man speaking?", SPEECH, 'Yes, someone speaks: "Hello there." (0:01).'),
    ("Is there a narrator in the video?", SILENT, "No, nothing is said: the audio track is silent.")])
def test_whether_anything_is_said_is_answered_from_the_speech_part(question, transcript, expected):
    assert answer_sound(question, _ctx(transcript)) == expected


@pytest.mark.parametrize("question", ["What does the man say?", "Does he say hello?",
                                      "Is he playing an instrument?", "What instrument is being played?",
                                      "What is the man holding?"])
def test_questions_about_speech_or_sights_are_left_to_the_other_routes(question):
    assert answer_sound(question, _ctx(SOUND)) is None


def test_nothing_is_claimed_while_the_speech_part_runs():
    assert answer_sound("Is there any music?", _ctx(status="running")) is None


TWO = Transcript([Said(0.0, 4.6, "Start at the outer corner."), Said(6.2, 7.0, "And keep doing this.")], "en", 0.9)


@pytest.mark.parametrize("question, transcript, expected", [
    ("Please transcribe the speech.", TWO,            # the reader said "I can't tell from the video."
     '0:00-0:05 "Start at the outer corner."; 0:06-0:07 "And keep doing this."'),
    ("Give me the transcript.", SPEECH, '0:01-0:02 "Hello there."'),
    ("Transcribe the audio.", NO_TRACK, "Nothing is said: the video has no audio track."),
    ("Can you transcribe what she says?", SOUND,
     "No speech is heard; there is sound, but the facts do not say what it is."),
    ("Transcribe the text on screen.", TWO, None),     # on-screen text: not the speech
    ("What does she say?", TWO, None)])
def test_a_transcript_request_gets_the_transcript_with_its_times(question, transcript, expected):
    answer = answer_transcript(question, _ctx(transcript))
    assert answer == (expected if expected is None or expected.endswith(".") else expected + ".")
    assert answer_transcript(question, _ctx(status="running")) is None
