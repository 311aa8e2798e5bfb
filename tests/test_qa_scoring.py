"""The QA benchmark's scoring: accept/reject patterns, times, and the automatic hallucination check."""
from __future__ import annotations

from eval.qa_scoring import correct, facts_hold_answer, first_sentence, sentences, times_in, unsupported

FACTS = ("Video: 0:12 long, 25 fps, 596x336; 16 frames analysed.\n"
         "People (pose and face detection): one person; upright; a hand near the face at 0:05-0:08.\n"
         'On-screen text (read by OCR): "SALE 50%" 0:03.\n'
         "0:00-0:06: golden retriever (41%); motion slight.")


def test_accept_reject_and_time_windows():
    q = {"accept": r"drink|sip", "reject": r"inhaler"}
    assert correct("He drinks water.", q) and not correct("He uses an inhaler to drink.", q)
    assert not correct("He sings.", q)
    when = {"accept_time": [2.5, 9.5]}
    assert correct("At 0:05-0:08 (a hand near the face).", when) and correct("After 10 seconds.", when)
    assert not correct("At 0:12.", when) and not correct("I can't tell from the video.", when)
    assert times_in("from 1:05 to 4.5 seconds, then 12 s") == [65, 4.5, 12]


def test_unsupported_names_what_the_facts_do_not_hold():
    assert unsupported("A golden retriever, at 0:05.", FACTS, 12.0) == []
    assert unsupported('The text says "SALE 50%".', FACTS, 12.0) == []
    found = unsupported('A cat sits at 0:30 and says "hello" to Brian.', FACTS, 12.0)
    assert {"cat", "time 30s", '"hello"', "Brian"} <= set(found)
    assert "7" in unsupported("There are 7 people.", FACTS, 12.0)


def test_pose_claims_need_a_pose_fact_and_negations_pass():
    assert unsupported("One person can be seen upside down at times.", FACTS, 12.0) == ["upside down"]
    assert unsupported("No, no one is seen upside down.", FACTS, 12.0) == []
    assert unsupported("Yes, upside down at 0:05.", FACTS.replace("upright", "upside down at 0:05"), 12.0) == []
    assert unsupported("He does a handstand.", FACTS, 12.0) == ["handstand"]


def test_sentences_and_first_sentence():
    assert sentences("It looks like cooking. One person can be seen. ") == 2
    assert first_sentence("A dog. It runs.") == "A dog."


def test_facts_hold_answer_reads_lines_and_times_and_skips_yes_no():
    facts = "Objects seen overall: hot dog (61%), bell pepper (7%).\nPeople: a hand near the face at 0:05-0:08."
    assert facts_hold_answer(facts, {"kind": "object", "accept": "pepper"}) is True
    assert facts_hold_answer(facts, {"kind": "object", "accept": r"\bknife\b"}) is False
    assert facts_hold_answer(facts, {"kind": "when", "accept_time": [7, 9]}) is True     # 0:08
    assert facts_hold_answer(facts, {"kind": "when", "accept_time": [20, 25]}) is False
    assert facts_hold_answer(facts, {"kind": "yesno", "accept": "^yes"}) is None
    assert facts_hold_answer("", {"kind": "object", "accept": "pepper"}) is None          # blind: no facts
