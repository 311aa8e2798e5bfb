"""The reader's first sentence checked before it is shown (vlm.perception.checks)."""
from __future__ import annotations

import pytest

from tests.helpers import people_context
from vlm.perception.checks import CANT_TELL, checked_start

_ctx = people_context


def _given(question: str, answer: str) -> bool:
    """Whether a one-piece answer reaches the user as it is (someone seen)."""
    return "".join(checked_start([answer], _ctx([1]), question)) == answer


@pytest.mark.parametrize("pieces, counts, expected", [
    (["No, no one is ", "visible wearing a hat.", " More."], [1, 1], "I can't tell from the video."),
    (["I can't see ", "anyone."], [0, 1], "I can't tell from the video."),
    (["No, no one is ", "visible wearing a hat.", " More."], [0, 0], "No, no one is visible wearing a hat. More."),
    (["No, no one is seen ", "moving."], [1], "No, no one is seen moving."),      # about motion, not presence
    (["One person. ", "They stand."], [1], "One person. They stand."),
    (["No. ", "No one is visible."], [1], "I can't tell from the video."),     # a bare no: the next sentence too
    (["No. ", "No one is visible."], [0], "No. No one is visible.")])
def test_an_answer_that_says_nobody_is_there_while_someone_is_seen_is_not_given(pieces, counts, expected):
    assert "".join(checked_start(pieces, _ctx(counts))) == expected


def test_the_check_stops_the_generation_it_replaces():
    made = []

    def pieces():
        for p in ["No one is visible.", " and", " more", " words"]:
            made.append(p)
            yield p
    assert list(checked_start(pieces(), _ctx([1]))) == ["I can't tell from the video."]
    assert made == ["No one is visible."]   # nothing after the first sentence was asked for


@pytest.mark.parametrize("question, pieces, expected", [
    ("Is this a sport?", ["Yes, something is said: ", "an audio track."], "I can't tell from the video."),
    ("Is this a sport?", ["It looks like boxing."], "It looks like boxing."),
    ("Is there any music?", ["No one speaks: there is sound, ", "but no speech."],
     "No one speaks: there is sound, but no speech."),                      # a question about sound
    ("What does the sign say?", ["Someone says hi (0:01)."], "Someone says hi (0:01)."),   # quotes: below
    ("What is written on his shirt?", ["The text says MISFITS."], "The text says MISFITS.")])
def test_an_answer_about_speech_to_a_question_about_no_sound_is_not_given(question, pieces, expected):
    assert "".join(checked_start(pieces, _ctx([1]), question)) == expected


@pytest.mark.parametrize("question, answer, given", [
    ("Is it day or night?", "Indoors.", False),
    ("What passes by in the video?", "It looks like a road.", False),
    ("Is the person outdoors?", "Indoors.", True),
    ("Where is this filmed?", "It looks like a hotel room.", True),
    ("Describe the room.", "It looks like a dining room. One person can be seen.", True),
    ("What is he doing?", "It looks like boxing.", True),          # an activity, not a place
    ("What is he doing?", "It looks like a boxing ring.", False),
    ("What is the weather like?", "It looks like indoor. The frames mostly show a sliding door.", False),
    ("Is it indoors?", "It looks like indoor.", True)])
def test_a_place_answer_to_a_question_about_no_place_is_not_given(question, answer, given):
    assert _given(question, answer) is given


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
    assert _given(question, answer) is given


@pytest.mark.parametrize("question, answer, given", [
    ("Who has the ball?", "A gymnastic horizontal bar.", False),
    ("Who is in the video?", "One person.", True),
    ("Who is in the video?", "A man in a suit.", True),
    ("Who speaks first?", "I can't tell from the video.", True),
    ("Who wins the match?", "The man on the left.", True),
    ("What has the ball?", "A gymnastic horizontal bar.", True)])     # not a "who" question
def test_a_who_question_is_answered_with_a_person(question, answer, given):
    assert _given(question, answer) is given


@pytest.mark.parametrize("question, answer, given", [
    ("Is the child wearing a helmet?", "No, no helmet is seen.", False),
    ("Is the man wearing a hat?", "No.", False),
    ("Does she have on a scarf?", "No, she does not.", False),
    ("Does the man have a hat on?", "No, no hat is seen.", False),
    ("Is the child wearing a helmet?", "Yes, a crash helmet.", True),
    ("Is the child wearing a helmet?", "I can't tell from the video.", True),
    ("Is there a dog?", "No, no dog is among the objects seen.", True),     # not about what is worn
    ("What is he wearing?", "No hat.", True)])                             # not a yes/no question
def test_a_no_to_what_someone_wears_is_not_given(question, answer, given):
    assert _given(question, answer) is given


@pytest.mark.parametrize("answer, given", [("Yes, at 11%.", False), ("No, 40%.", False),
                                           ("Yes, it looks like a concert hall (11%).", True), ("Yes.", True)])
def test_a_yes_with_only_a_confidence_is_not_given(answer, given):
    assert _given("Is it a concert?", answer) is given


@pytest.mark.parametrize("question, answer, given", [
    ("Is this slow motion?", "Mostly to the left.", False),
    ("Is the video in colour?", "There is little or no movement to one side.", False),
    ("Which way does the car drive?", "Mostly downward.", True),
    ("Is the camera moving?", "Mostly to the right.", True),
    ("What goes past in this clip?", "Mostly upward, towards the top.", True)])   # "goes past": movement
def test_a_direction_to_a_question_about_no_movement_is_not_given(question, answer, given):
    assert _given(question, answer) is given


@pytest.mark.parametrize("answer, counts, given", [
    ("No, no one is seen dancing.", [2, 2], False),
    ("No, no one is seen spinning.", [1], False),
    ("No, no one is seen dancing.", [0, 0], True),        # nobody is there: the people check's, and true
    ("No, no one is seen walking.", [1], True)])          # going from place to place: the motion line's
def test_a_no_to_what_people_do_is_not_given_while_someone_is_seen(answer, counts, given):
    out = "".join(checked_start([answer], _ctx(counts), "Do they dance together?"))
    assert out == (answer if given else "I can't tell from the video.")


@pytest.mark.parametrize("answer, given", [
    ("No, no water bottle is seen.", False), ("No, no bottles are seen.", False), ("I can't see any bottle.", False),
    ("No, no dog is seen.", False),        # no dog was asked about either (`denies_unasked_thing`)
    ("Yes, a water bottle.", True)])
def test_a_no_to_a_thing_the_objects_name_is_not_given(answer, given):
    ctx = _ctx([0])
    ctx.labels = [("water bottle", 0.16), ("baby pacifier", 0.35)]
    out = "".join(checked_start([answer], ctx, "Are the bottles empty?"))
    assert (out == answer) is given


@pytest.mark.parametrize("question, answer, given", [
    ("What kitchen tool appears in the video?", "A harmonica.", False),    # no kitchen tool
    ("What kitchen tool appears in the video?", "A spatula.", True),
    ("What musical instrument does she play?", "A harmonica.", True),
    ("What is the man holding?", "A harmonica.", True),                     # no kind asked
    ("What kitchen tool appears in the video?", "A whisk.", True)])         # not an object of the context
def test_an_object_of_another_kind_than_asked_is_not_given(question, answer, given):
    ctx = _ctx([1])
    ctx.labels = [("harmonica", 0.2), ("spatula", 0.1)]
    assert ("".join(checked_start([answer], ctx, question)) == answer) is given


@pytest.mark.parametrize("question, history, answer, given", [
    ("And what is it riding on?", ["What animal is in the video?", "A dog."], "A Siberian Husky.", False),
    ("And what is it riding on?", ["What animal is in the video?", "A dog."], "A skateboard.", True),
    ("What is the dog riding on?", [], "A dog.", False),
    ("What is the dog chewing?", [], "A tennis ball.", True),
    ("What breed is the dog's owner?", [], "A Siberian Husky.", False),     # a person has no breed
    ("What breed is the person who owns the dog?", [], "A Siberian Husky.", False),
    ("What breed is the dog?", [], "A Siberian Husky.", True),
    ("What is it riding on?", [], "A dog.", True),                           # nothing to refer back to
    ("What is the person riding?", [], "A person.", False)])                 # no object, the subject all the same
def test_an_answer_naming_the_subject_itself_is_not_given(question, history, answer, given):
    ctx = _ctx([1])
    ctx.labels = [("dog", 0.4), ("Siberian Husky", 0.1), ("skateboard", 0.05), ("tennis ball", 0.05)]
    turns = [{"role": r, "content": c} for r, c in zip(("user", "assistant") * len(history), history)]
    assert ("".join(checked_start([answer], ctx, question, turns)) == answer) is given


@pytest.mark.parametrize("question, answer, given", [
    ("Are the bottles full?", "Yes, one baby pacifier is seen.", False),
    ("Is the baby reading?", "Yes, the person can see a diaper.", False),
    ("Are the bottles full?", "Yes, the water bottles are full.", True),     # the asked thing
    ("Is there a dog?", "Yes, a Border Collie is seen.", True),              # of the kind asked
    ("Is there anything on the table?", "Yes, a baby pacifier.", True),
    ("Are the bottles full?", "No, a baby pacifier is seen.", True)])        # not a yes
def test_a_yes_naming_another_thing_is_not_given(question, answer, given):
    ctx = _ctx([1])
    ctx.labels = [("water bottle", 0.16), ("baby pacifier", 0.35), ("diaper", 0.1), ("Border Collie", 0.1)]
    assert ("".join(checked_start([answer], ctx, question)) == answer) is given


@pytest.mark.parametrize("question, answer, expected", [
    ("Who opens the door?", "Yes, one person. More.", "One person. More."),        # a yes is no answer to "who"
    ("Does he open the door?", "Yes, one person.", "Yes, one person."),
    ("What is the person signing?", 'The text says "No One Knows".', "I can't tell from the video."),
    ("Is the person left-handed?", "No, no one is seen upside down.", "I can't tell from the video."),
    ("Is he doing a handstand?", "No, no one is seen upside down.", "No, no one is seen upside down.")])
def test_quotes_postures_and_yes_to_a_wh_question(question, answer, expected):
    ctx = _ctx([1])
    assert "".join(checked_start([answer], ctx, question)) == expected


def test_a_quote_of_the_facts_is_given():
    ctx = _ctx([1])
    quoted = ctx.to_text().split("\n")[0][:20]
    answer = f'It says "{quoted.upper()}".'
    assert "".join(checked_start([answer], ctx, "What does it say?")) == answer


@pytest.mark.parametrize("answer, expected", [
    ("I can't tell from the video.", "A bell pepper."),           # the reader cannot tell: the fallback
    ("No one is visible.", "A bell pepper."),                      # a first sentence that fails its checks
    ("A knife. She cuts it.", "A knife. She cuts it.")])           # the reader's own pick stays
def test_a_fallback_answers_where_the_reader_cannot_tell(answer, expected):
    pieces = [answer[:5], answer[5:]]
    assert "".join(checked_start(pieces, _ctx([1]), "What is she cutting?", fallback="A bell pepper.")) == expected
    assert "".join(checked_start(pieces, _ctx([1]), "What is she cutting?")) != "A bell pepper."


@pytest.mark.parametrize("question, answer, given", [
    ("What is on the water?", "A lakeshore.", False),             # a landscape is nothing on the water
    ("What is the boy holding?", "A baseball player.", False),    # a person is no thing held
    ("What is she riding?", "A dog.", False),                     # a horse is seen: an animal people ride
    ("What is she riding?", "A common sorrel horse.", True),
    ("What is she holding?", "A dog.", True),                     # any object can be held
    ("What is the weather like?", "A lakeshore.", True)])         # not about a thing acted on
def test_an_answer_naming_a_scene_or_another_kind_than_the_verb_takes_is_not_given(question, answer, given):
    ctx = _ctx([1])
    ctx.labels = [("lakeshore", 0.2), ("dog", 0.25), ("common sorrel horse", 0.12), ("baseball player", 0.1)]
    assert ("".join(checked_start([answer], ctx, question)) == answer) is given


def test_a_fallback_that_fails_the_checks_itself_is_not_given():
    history = [{"role": "user", "content": "What animal is in the video?"}, {"role": "assistant", "content": "A dog."}]
    ctx = _ctx([1])
    ctx.labels = [("dog", 0.4)]
    out = "".join(checked_start(["I can't tell from the video."], ctx, "And what is it riding on?", history,
                                fallback="A dog."))
    assert out == "I can't tell from the video."      # not the subject itself


@pytest.mark.parametrize("question, answer, fails", [
    ("What tool is used?", 'A "shutterstock" watermark.', True),
    ("What is she holding?", "The text says HELLO.", True),
    ("What is written on the box?", 'A "shutterstock" watermark.', False),    # a question about words
    ("What does the sign say?", 'It says "OPEN".', False),
    ("What is happening?", 'A "shutterstock" watermark.', False),             # asks for no thing
    ("What tool is used?", "A knife.", False)])
def test_the_screens_text_for_a_thing_is_not_given(question, answer, fails):
    from vlm.perception.checks import answers_a_thing_with_text

    assert answers_a_thing_with_text(answer, question) is fails
    if fails:
        assert "".join(checked_start([answer], _ctx([1]), question)) == "I can't tell from the video."


@pytest.mark.parametrize("question, answer, fails", [
    ("What does the man open?", "It looks like opening door. The frames mostly show a sliding door.", True),
    ("What is she holding?", "It looks like a bell pepper.", False),      # a thing the objects name
    ("What is the man doing?", "It looks like opening door.", False)])   # an activity is asked for
def test_the_activity_for_a_thing_acted_on_is_not_given(question, answer, fails):
    from vlm.perception.checks import answers_a_thing_with_an_activity

    ctx = _ctx([1])
    ctx.labels = [("bell pepper", 0.3), ("sliding door", 0.2)]
    assert answers_a_thing_with_an_activity(answer, question, ctx) is fails


def test_a_contradicting_evidence_sentence_is_left_out_and_the_rest_kept(monkeypatch):
    import vlm.perception.checks as checks

    seen = []
    monkeypatch.setattr(checks, "evidence_contradicts", lambda head, s: seen.append(s) or "unicycle" in s)
    pieces = ["It looks like ", "riding a bike.", " The frames", " mostly show a unicycle.", " More."]
    assert "".join(checked_start(pieces, _ctx([1]), "What is the child doing?")) == "It looks like riding a bike. More."
    assert [x.strip() for x in seen] == ["The frames mostly show a unicycle."]       # the sentence whole, once
    kept = ["It looks like ", "riding a bike.", " The frames mostly show a mountain bike."]
    assert "".join(checked_start(kept, _ctx([1]), "What is the child doing?")) == "".join(kept)
    seen.clear()
    other = ["One person.", " The frames mostly show a unicycle."]   # not an activity answer: not looked at
    assert "".join(checked_start(other, _ctx([1]), "Who is there?")) == "".join(other) and not seen


@pytest.mark.slow
@pytest.mark.parametrize("head, evidence, contradicts", [
    ("It looks like riding a bike.", " The frames mostly show a unicycle.", True),    # a unicycle: riding unicycle
    ("It looks like riding unicycle.", " The frames mostly show a unicycle.", False),
    ("It looks like playing harmonica.", " The frames mostly show a harmonica.", False),
    ("It looks like balance beam.", " The frames mostly show a dumbbell.", False),     # a dumbbell: no activity
    ("It looks like training dog.", " The frames mostly show a dog.", False),          # a group: not checked
    ("It looks like juggling teacups.", " The frames mostly show a unicycle.", False),  # not a vocabulary name
    ("It looks like playing drums.", " The frames mostly show a steel drum and a unicycle.", True)])
def test_evidence_naming_an_object_of_another_activity_contradicts(head, evidence, contradicts):
    from vlm.perception.checks import evidence_contradicts

    assert evidence_contradicts(head, evidence) is contradicts


@pytest.mark.parametrize("answer, given", [("Mostly to a dog.", False), ("Mostly to the left.", True),
                                           ("Mostly upward, towards the top.", True), ("Mostly a dog.", True)])
def test_a_direction_answer_naming_no_direction_is_not_given(answer, given):
    assert _given("Which way do things move?", answer) is given


@pytest.mark.parametrize("answer, given", [("Upright: a dog.", False),
                                           ("Upright: standing or sitting, the pose model does not tell which.", True)])
def test_a_posture_answer_naming_no_posture_is_not_given(answer, given):
    assert _given("Is she standing or sitting?", answer) is given


def _said_ctx(*texts):
    from vlm.perception.context import PartState
    from vlm.perception.speech import Said, Transcript

    ctx = _ctx([1])
    state = PartState("speech", "What is said")
    state.finish("done", Transcript([Said(1.0 + 2 * k, 2.0 + 2 * k, t) for k, t in enumerate(texts)], "en", 0.9))
    ctx.parts["speech"] = state
    return ctx


@pytest.mark.parametrize("pieces, expected", [
    (['Someone says "blaming himself for.', ' Also, our skateboardy dog out of the portwalk of." (0:01).'],
     'Someone says "blaming himself for. Meanwhile our skateboardy dog out of the portwalk of." (0:01).'),
    (['Someone says "Go!" (in the speech recognition).'], 'Someone says "Go!" (0:03).'),
    (['Someone says "Go!" (0:05).'], 'Someone says "Go!" (0:05).'),
    (['The man says "hello there".'], "I can't tell from the video.")])   # far from every fact: not a copy
def test_a_quote_gone_astray_is_given_as_the_facts_have_it(pieces, expected):
    ctx = _said_ctx("blaming himself for. Meanwhile our skateboardy dog out of the portwalk of.", "Go!")
    assert "".join(checked_start(pieces, ctx, "What does the narrator say?")) == expected


def test_a_posture_the_people_line_lacks_is_left_out_of_every_sentence():
    # the describe answer on the pepper-cutting clip, word pieces with their trailing space as the emitter cuts them
    ctx = _ctx([1])
    pieces = ["It ", "looks ", "like ", "eating ", "hotdog. ", "One ", "person ", "can ", "be ", "seen ", "upside ",
              "down ", "at ", "times. ", "The ", "frames ", "mostly ", "show ", "a ", "hot ", "dog."]
    assert "".join(checked_start(pieces, ctx, "Describe the video.")) == \
        "It looks like eating hotdog. The frames mostly show a hot dog."
    assert "".join(checked_start(["Yes, one person is upside down."], ctx, "Is anyone upside down?")) == CANT_TELL
    assert "".join(checked_start(["No, no one is seen upside down."], ctx, "Is anyone upside down?")) == \
        "No, no one is seen upside down."


def test_words_given_as_said_that_the_transcript_lacks_are_left_out():
    from vlm.perception.checks import quotes_unsaid

    # "Describe the people." on the baby clip: the facts' "What is said" line quoted as speech
    pieces = ["One person. ", 'Someone says "an audio track", ', "but no clear speech is heard."]
    assert "".join(checked_start(pieces, _said_ctx(), "Describe the people.")).strip() == "One person."
    assert "".join(checked_start(['Someone says "Go!" (0:03).'], _said_ctx("Go!"), "What is said?")) == \
        'Someone says "Go!" (0:03).'                                     # in the transcript: kept
    assert "".join(checked_start(['He says "Stop here" first.'], _said_ctx("Go!"), "What is said?")) == CANT_TELL
    assert not quotes_unsaid('The text says "#1:Foul tip", shown at 0:01.', _said_ctx("Go!"))   # the screen's
    assert not quotes_unsaid('Someone says "Go!".', _ctx([1]))        # no speech part: nothing known either way


def test_a_posture_the_people_line_has_is_kept():
    from vlm.perception.checks import states_unseen_posture

    ctx = _ctx([1])
    assert states_unseen_posture("One person can be seen upside down at times.", ctx)
    ctx.parts["people"].result.frames[0].persons[0].posture = "upside down"
    assert "upside down" in ctx.to_text()
    assert not states_unseen_posture("One person can be seen upside down at times.", ctx)


@pytest.mark.parametrize("question, answer, given", [
    ("Is it electric?", "No, no electric charge is seen.", False),     # the guitar clip: a thing nobody asked about
    ("Is there a helmet?", "No, no football helmet is visible.", True),  # its head noun was asked about
    ("Is there a hoop?", "No, no basketball hoop is visible.", False),  # but no class names a hoop
    ("Are there bottles?", "No, no bottle is seen.", True),
    ("Is anyone there?", "No, no person is seen.", False),            # people: `denies_people_seen`'s (one seen)
    ("Is there a pet?", "No, no animal is seen.", True)])               # a kind
def test_a_no_to_a_thing_the_question_did_not_name_is_not_given(question, answer, given):
    assert _given(question, answer) is given


@pytest.mark.parametrize("question, kept", [
    ("Summarize the video in one sentence.", "It looks like boxing."),
    ("Give me a one-sentence summary.", "It looks like boxing."),
    ("Describe the video in a few words.", "It looks like boxing."),
    ("Describe the video.", "It looks like boxing. One person can be seen."),
    ("What is in one line of the poem?", "It looks like boxing. One person can be seen.")])   # not a length
def test_a_one_sentence_request_gets_the_first_sentence_only(question, kept):
    pieces = ["It looks like ", "boxing. ", "One person ", "can be seen."]
    assert "".join(checked_start(pieces, _ctx([1]), question)) == kept


@pytest.mark.parametrize("answer, given", [("Yes, at 6.", False), ("At 12", False), ("Yes, at 0:06.", True),
                                           ("At 6 s.", True), ("At 6 seconds.", True)])
def test_a_time_without_minutes_or_a_unit_is_not_given(answer, given):
    from vlm.perception.checks import garbled_time

    assert _given("Does he hit the ball?", answer) is given
    assert garbled_time(answer) is not given
    assert not garbled_time('Someone says "Meet at 6." (0:02).')          # words quoted, not a time


@pytest.mark.parametrize("question, answer, given", [
    ("Are they a man and a woman?", "Yes, three people.", False),      # the salsa clip: who they are is not counted
    ("Is the person a boy or a girl?", "One person.", False),
    ("Are they two people?", "Yes, two people.", True),                # a count asked for
    ("Who is in the video?", "Two people.", True)])
def test_who_they_are_is_not_answered_with_the_people_count(question, answer, given):
    assert _given(question, answer) is given


@pytest.mark.parametrize("question, answer, given", [
    ("Is the room empty?", "Indoors.", False),                         # a yes/no about something else
    ("Where are they going?", "It looks like a dining room.", False),  # where to, not where
    ("Is this indoors or outdoors?", "Indoors.", True),
    ("Where are they?", "It looks like a dining room.", True)])
def test_a_place_answer_to_where_someone_goes_or_to_another_yes_no_is_not_given(question, answer, given):
    assert _given(question, answer) is given


def test_a_denied_action_in_any_verb_form_is_not_given_while_someone_is_seen():
    ctx = _ctx([1])
    assert "".join(checked_start(["No, no one is seen cut."], ctx, "Is it being cut?")) == CANT_TELL
    assert "".join(checked_start(["No, no one is seen upside down."], ctx, "Is anyone upside down?")) == \
        "No, no one is seen upside down."


@pytest.mark.parametrize("question, answer, given", [
    ("Is the background plain?", "No, no plain background is seen.", False),   # no class for a background
    ("Is there a crowd?", "No, no crowd is seen.", False),
    ("Is there a dog?", "No, no dog is seen.", True),                          # a class: its absence is a fact
    ("Is there a watermark?", "No, no watermark is seen.", True),              # the text line's
    ("Is anyone there?", "No, no person is seen.", True)])
def test_a_thing_the_classifier_cannot_name_is_not_denied(question, answer, given):
    assert "".join(checked_start([answer], _ctx([0]), question)) == (answer if given else CANT_TELL)


@pytest.mark.parametrize("question, answer, given", [
    ("Is it whole or cut?", "I can't see anything other than a hot dog.", False),   # the pepper clip
    ("Is the person a boy or a girl?", "Yes, one person.", False),
    ("Is it acoustic or electric?", "Electric.", True),
    ("Is he sitting or standing?", "Upright: standing or sitting, the pose model does not tell which.", True),
    ("Is it day or night?", "I can't tell from the video.", True),
    ("Does he go left or right?", "Mostly to the left.", True)])                  # directions: their own check
def test_a_choice_answered_with_neither_option_is_not_given(question, answer, given):
    from vlm.perception.checks import answers_neither_choice

    assert _given(question, answer) is given
    assert not answers_neither_choice("Yes.", "Does the video show any text or watermark?")   # whether, no choice
    assert not answers_neither_choice("No.", "Is there a cat or a dog?")


@pytest.mark.parametrize("question, answer, given", [
    ("Is the pepper red?", "Yes, a bell pepper is seen.", False),       # a colour asked, presence answered
    ("Is the water calm?", "I can't see water in the video.", False),   # no class is water
    ("Does a bottle fall over?", "No, no bottle falls over.", False),    # a no on no fact
    ("Does a dog appear?", "No, no dog is seen.", True),                # the objects' absence
    ("Does anyone speak?", "No, nothing is said: the video has no audio track.", True),
    ("Is the baby turning pages?", "No, no baby is seen.", False),      # one person is seen
    # the event the question starts from is not what comes after it
    ("What does the man do after opening the door?", "It looks like opening door.", False),
    ("What happens before jumping?", "It looks like jumping.", False),
    ("What does the man do after the door opens?", "It looks like walking.", True)])
def test_answers_on_no_fact_are_not_given(question, answer, given):
    assert _given(question, answer) is given
