"""The extractive answers the assistant gives before the reader (no LLM), in the order they are tried.

Each route takes the question, the perception context and the conversation so far, and returns an answer built
from the facts, or None to pass the question on. They exist for questions the reader was never trained on or
answers badly while the fact is in front of it; `eval.bench_qa`'s `reader-llm-only` system runs without them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from vlm.english import plain_question
from vlm.perception.basis import answer_basis
from vlm.perception.doing import answer_doing
from vlm.perception.howmany import answer_how_many, answer_how_many_things
from vlm.perception.mentions import answer_mentioned
from vlm.perception.moment import answer_moment
from vlm.perception.more import answer_more
from vlm.perception.motion import answer_camera, answer_motion, answer_thing_moves
from vlm.perception.names import answer_name
from vlm.perception.opinion import answer_opinion
from vlm.perception.person import answer_describe_person, answer_face_seen, answer_who
from vlm.perception.ocr import answer_text_at, answer_text_count, answer_text_where, answer_written
from vlm.perception.place import answer_in_or_out, answer_is_place, answer_weather
from vlm.perception.poses import answer_pose_event
from vlm.perception.sound import (answer_language, answer_said_at, answer_said_next, answer_sound,
                                  answer_speech_count, answer_speech_length, answer_transcript)
from vlm.perception.sport import answer_dance, answer_sport
from vlm.perception.videoinfo import answer_video_info
from vlm.perception.when import answer_when
from vlm.perception.which import (answer_acted_on, answer_is_it, answer_present, answer_thing_state, answer_which,
                                  answer_worn)

Route = Callable[[str, object, Sequence[dict]], "str | None"]

ROUTES: dict[str, Route] = {
    # the video file: length, frame rate, size, shots (the reader says it cannot tell)
    "video_info": lambda q, c, h: answer_video_info(q, c, h),
    # a fact's own times (the reader says "can't tell" to most of these)
    "when": lambda q, c, h: answer_when(q, c, history=h),
    # "What does she say first / at the end / at 0:05?": that segment (the reader quotes the first two)
    "said_at": lambda q, c, h: answer_said_at(q, c),
    # "What text appears at the end?", "What is the first caption?": that item (the reader quotes the first)
    "text_at": lambda q, c, h: answer_text_at(q, c),
    # "Where is the watermark?", "Where is it?" after the text: its place in the frame (the reader gave the likely
    # place)
    "text_where": lambda q, c, h: answer_text_where(q, c, h),
    # "How many captions are there?": the items read (the reader said "No text appears on screen.")
    "text_count": lambda q, c, h: answer_text_count(q, c),
    # "What language?" after "Is anyone speaking?": the transcript's language (the reader said it could not tell)
    "language": lambda q, c, h: answer_language(q, c),
    # "How long does she talk?": the transcript's stretches added up (the reader said it could not tell)
    "speech_length": lambda q, c, h: answer_speech_length(q, c),
    # "How many sentences does she say?": the transcript's stretches counted (the reader said no one speaks)
    "speech_count": lambda q, c, h: answer_speech_count(q, c),
    # "And then?" after a quote: the next thing said (the moment route would give the next stretch's frames)
    "said_next": lambda q, c, h: answer_said_next(q, c, h),
    # "What happens at the end / at 0:05?": that stretch's facts (the reader gives the whole video's activity)
    "moment": lambda q, c, h: answer_moment(q, c, h),
    # "Are you sure?", "How do you know?": where the last answer came from (the reader said "I can't tell from the
    # video." after its own guess)
    "basis": lambda q, c, h: answer_basis(q, c, h),
    # "What else?", "Tell me more.": facts no earlier answer gave (the reader said "No one is visible." and "I
    # can't tell from the video.")
    "more": lambda q, c, h: answer_more(q, c, h),
    # "Describe the man.": the people line's count, events and posture (the reader said "I can't tell from the
    # video." and "I can't see a baby in the video." where one person was seen)
    "describe_person": lambda q, c, h: answer_describe_person(q, c),
    # "Can you see a face?": the faces detected, or only hands (the reader said "I can't tell" over "only hands seen
    # (a close-up: no face or body in view)"; the pose events matched "Is there a face?" to a hand near
    # the face)
    "face_seen": lambda q, c, h: answer_face_seen(q, c),
    # "Does he raise his arm?", "Is his hand near his face?": the people line's events (the reader said "No, no one
    # is seen near the face." where the line has a hand near the face)
    "pose_event": lambda q, c, h: answer_pose_event(q, c),
    # "Is there a lot of movement?": the segment lines' motion words (the reader gave a direction: "Mostly to
    # the left.")
    "motion": lambda q, c, h: answer_motion(q, c),
    # "Does the boat move?", "What is moving?": what the motion words say and do not (the reader said "No, no boat
    # moves." over slight motion, and gave a direction)
    "thing_moves": lambda q, c, h: answer_thing_moves(q, c),
    # "Is the camera moving?": the camera line (the reader gave the motion line's direction: "Mostly to the right.")
    "camera": lambda q, c, h: answer_camera(q, c),
    # "What sport is this?": the sport whose gear the objects name (the reader repeats the activity line, which
    # said "playing tennis" where the objects lead with "baseball player")
    "sport": lambda q, c, h: answer_sport(q, c),
    # "What kind of dance is this?": a dance among the likely activities, or none (the reader gave the first guess)
    "dance": lambda q, c, h: answer_dance(q, c),
    # the likeliest object of the kind asked for (the reader names the first object, of whatever kind)
    "which": lambda q, c, h: answer_which(q, c),
    # "Are there any animals?": the objects of that kind (the reader said "Yes, one person.")
    "present": lambda q, c, h: answer_present(q, c),
    # "What is she wearing?": the worn things the objects name (the reader gave the first object: "An ocarina.")
    "worn": lambda q, c, h: answer_worn(q, c),
    # "Is the man getting a haircut?": where that activity stands among the likely activities (the reader said yes
    # to the line's second guess at 4%)
    "doing": lambda q, c, h: answer_doing(q, c),
    # "Is this a kitchen?": where that place stands among the likely places (the reader said yes to each place)
    "is_place": lambda q, c, h: answer_is_place(q, c),
    # "Is the door open?", "Is the table wooden?": a state no fact gives (the reader said "No, no door is open.")
    "thing_state": lambda q, c, h: answer_thing_state(q, c),
    # "Is it an electric guitar?": whether an object seen is one (the reader said yes to one none of them names)
    "is_it": lambda q, c, h: answer_is_it(q, c),
    # "Is this outdoors?": yes or no from the indoors guess (the reader said "Outdoors.", which does not say yes)
    "in_or_out": lambda q, c, h: answer_in_or_out(q, c),
    # "What is the weather like?": no fact is about the weather (the reader said "It looks like a sunny day." in a
    # gym)
    "weather": lambda q, c, h: answer_weather(q, c),
    # "Is it dangerous?", "Is the baby happy?": beyond the facts (the reader said "I can't see anyone.")
    "opinion": lambda q, c, h: answer_opinion(q, c),
    # "Transcribe the speech.": the transcript with its times (the reader said it could not tell)
    "transcript": lambda q, c, h: answer_transcript(q, c),
    # yes/no about words said or written, looked up
    "mentioned": lambda q, c, h: answer_mentioned(q, c),
    # the sound as a whole, and a named sound the facts cannot tell from others ("Is there any music?": the
    # reader said "No. No music is played.")
    "sound": lambda q, c, h: answer_sound(q, c),
    # a number of people checked; a number of things said to be beyond the facts (the reader gives the people
    # count to every "how many")
    "how_many": lambda q, c, h: answer_how_many(q, c),
    "how_many_things": lambda q, c, h: answer_how_many_things(q, h),
    # a name where nothing is said or written ("What is the dog called?": the reader said "A dog.")
    "name": lambda q, c, h: answer_name(q, c),
    # the watermark when nothing else is written (the reader says nothing is)
    "written": lambda q, c, h: answer_written(q, c),
}

# The routes that read the background parts (speech, text, people): while one runs, their answer says so.
READS_PARTS = frozenset({"describe_person", "face_seen", "speech_count", "language", "speech_length", "text_where", "when", "said_at", "text_at", "text_count", "said_next", "moment", "more", "transcript",
                         "pose_event", "mentioned", "sound", "how_many", "name", "written"})


def extractive_answer(question: str, context, history: Sequence[dict] = ()) -> tuple[str, str] | None:
    """(route name, answer) from the first route that answers, or None."""
    question = plain_question(question)       # "Can you tell me when she speaks?" -> "when she speaks?"
    for name, route in ROUTES.items():
        found = route(question, context, history)
        if found is not None:
            return name, found
    return None


# Answers used only where the reader says it cannot tell or its first sentence fails the checks
# (`vlm.perception.checks.checked_start`): they keep what the reader picked when it picks.
FALLBACKS: dict[str, Route] = {
    # "What is the person slicing?", "What is standing on the table?": the likeliest object (the reader said "I
    # can't tell" to 7 of 23 verbs on one clip and named the first object for the rest)
    "acted_on": lambda q, c, h: answer_acted_on(q, c),
    # "Who is in the video?": the people count (the reader said "I can't tell" where the line has someone only
    # part of the time)
    "who": lambda q, c, h: answer_who(q, c),
}


def fallback_answer(question: str, context, history: Sequence[dict] = ()) -> str | None:
    """The first fallback's answer, or None."""
    question = plain_question(question)
    return next((found for route in FALLBACKS.values() if (found := route(question, context, history)) is not None),
                None)
