"""Questions about the sound as a whole, answered from the speech part's finding (vlm.perception.sound)."""
from __future__ import annotations

import pytest

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.sound import (answer_language, answer_said_at, answer_said_next, answer_sound, answer_speech_count,
                                  answer_speech_length, answer_transcript)
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
    ("Do people clap?", SOUND,        # the reader said "No. No one claps: there is sound, but no speech."
     "I can't tell whether there is clapping. There is sound, but no speech, and the facts do not say what the sound "
     "is."),
    ("Does the dog bark?", NO_TRACK, "No barking can be heard: the video has no audio track."),
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
    ("Quote her exactly.", SPEECH, '0:01-0:02 "Hello there."'),
    ("Quote the speech exactly.", SPEECH, '0:01-0:02 "Hello there."'),
    ("What is she explaining?", TWO,                 # the reader gave the likely activity
     '0:00-0:05 "Start at the outer corner."; 0:06-0:07 "And keep doing this."'),
    ("What is he talking about?", SPEECH, '0:01-0:02 "Hello there."'),
    ("Transcribe the text on screen.", TWO, None),     # on-screen text: not the speech
    ("What does she say?", TWO, None)])
def test_a_transcript_request_gets_the_transcript_with_its_times(question, transcript, expected):
    answer = answer_transcript(question, _ctx(transcript))
    assert answer == (expected if expected is None or expected.endswith(".") else expected + ".")
    assert answer_transcript(question, _ctx(status="running")) is None


@pytest.mark.parametrize("question, expected", [
    ("What is the first thing she says?", 'First, someone says "Start at the outer corner." (0:00).'),
    ("What does she say at the end?", 'Last, someone says "And keep doing this." (0:06).'),
    ("What does she say last?", 'Last, someone says "And keep doing this." (0:06).'),
    ("What are her opening words?", 'First, someone says "Start at the outer corner." (0:00).'),
    ("What's the last word she says?", 'The last word heard is "this", in "And keep doing this." (0:06).'),
    ("What does she say at 0:06?", 'At 0:06, someone says "And keep doing this." (0:06-0:07).'),
    ("What does she say?", None),                                  # no point: the reader quotes it
    ("What does the caption say at the start?", None),             # on-screen text
    ("What does she do after the first sentence?", None),          # an action
    ("Who speaks first?", None)])
def test_what_is_said_first_last_or_at_a_time_is_that_segment(question, expected):
    assert answer_said_at(question, _ctx(TWO)) == expected
    assert answer_said_at(question, _ctx(status="running")) is None


def _after(answer: str) -> list[dict]:
    return [{"role": "user", "content": "?"}, {"role": "assistant", "content": answer}]


def test_and_then_after_a_quote_is_the_next_thing_said():
    first = 'First, someone says "Start at the outer corner." (0:00).'
    assert answer_said_next("And then?", _ctx(TWO), _after(first)) == \
        'Then, someone says "And keep doing this." (0:06).'
    both = 'Someone says "Start at the outer corner." (0:00) and then "And keep doing this." (0:06).'
    assert answer_said_next("And after that?", _ctx(TWO), _after(both)) == "Nothing more is said after that."
    assert answer_said_next("What happens next?", _ctx(TWO), _after(first)) is None     # the moment route's
    assert answer_said_next("And then?", _ctx(TWO), _after("A dog.")) is None           # no quote


@pytest.mark.parametrize("question, transcript, expected", [
    ("How long does she talk?", Transcript([Said(0.0, 5.2, "Start at the corner."), Said(6.0, 7.4, "And you keep.")],
                                           "en", 0.9), "About 7 seconds in all: 0:00-0:05 and 0:06-0:07."),
    ("For how long is there speech?", SPEECH, "About 1 second in all: 0:01-0:02."),
    ("How long does the man speak?", NO_TRACK, "No one speaks: the video has no audio track."),
    ("How long does he talk?", SOUND, "No one speaks: there is sound, but no speech is heard."),
    ("How long is the video?", SPEECH, None), ("How long does he run?", SPEECH, None)])
def test_how_long_someone_speaks_adds_up_the_transcript(question, transcript, expected):
    assert answer_speech_length(question, _ctx(transcript)) == expected


@pytest.mark.parametrize("question, transcript, expected", [
    ("How many sentences does she say?", TWO, "Two stretches of speech are heard: 0:00-0:05 and 0:06-0:07 (speech "
                                              "recognition splits speech at pauses, not always at sentences)."),
    ("How many times does he speak?", SPEECH, "One stretch of speech is heard: 0:01-0:02 (speech recognition splits "
                                              "speech at pauses, not always at sentences)."),
    ("How many words does she say?", TWO, "About 9 words as speech recognition heard them, in two stretches of "
                                          "speech (0:00-0:05 and 0:06-0:07)."),
    ("How many times does someone speak?", NO_TRACK, "None: the video has no audio track."),
    ("How many people speak?", TWO, None), ("How many times does he jump?", TWO, None)])
def test_how_many_things_are_said_counts_the_transcripts_stretches(question, transcript, expected):
    assert answer_speech_count(question, _ctx(transcript)) == expected


def test_how_long_someone_speaks_waits_for_the_speech_part():
    assert answer_speech_length("How long does she talk?", _ctx(status="running")) is None


@pytest.mark.parametrize("question, transcript, expected", [
    ("What language?", SPEECH, "English, as speech recognition heard it."),
    ("Which language is spoken?", SPEECH, "English, as speech recognition heard it."),
    ("Is she speaking French?", SPEECH, "No, the speech is in English, as speech recognition heard it."),
    ("Is he speaking English?", SPEECH, "Yes, the speech is in English, as speech recognition heard it."),
    ("What language is spoken?", NO_TRACK, "No one speaks, so there is no language to tell: the video has no audio "
                                           "track."),
    ("What language is spoken?", SOUND, "No one speaks, so there is no language to tell: there is sound, but no "
                                        "speech is heard."),
    ("Is she speaking loudly?", SPEECH, None), ("What is said?", SPEECH, None),
    ("Is anyone talking in this video?", NO_TRACK, None),         # not a language: the speech route's
    ("Is he speaking in German?", SPEECH, "No, the speech is in English, as speech recognition heard it.")])
def test_the_language_is_the_transcripts(question, transcript, expected):
    assert answer_language(question, _ctx(transcript)) == expected
