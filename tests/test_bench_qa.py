"""The QA benchmark's report: per-kind summary and table, with the facts-hold column (eval.bench_qa)."""
from __future__ import annotations

from eval.bench_qa import load_questions, summarise, table


def _row(kind, correct, in_facts):
    return {"id": kind, "kind": kind, "system": "reader", "answer": "x", "correct": correct,
            "first_sentence_correct": correct, "unsupported": [], "in_facts": in_facts, "words": 1, "sentences": 1,
            "seconds": 0.1}


def test_facts_hold_counts_only_the_questions_it_applies_to():
    rows = [_row("object", True, True), _row("object", False, False), _row("yesno", True, None)]
    s = summarise(rows)["reader"]
    assert s["object"]["facts_hold"] == 0.5 and s["object"]["facts_hold_n"] == 2
    assert "facts_hold" not in s["yesno"]
    assert s["all"]["facts_hold_n"] == 2 and s["all"]["accuracy"] == 2 / 3
    md = table(summarise(rows), ["reader"], "test")
    assert "| object | 2 | 50% | 0% | 1 | 50% | 50% of 2 |" in md and "| yesno | 1 | 100% | 0% | 1 | 100% | n/a |" in md


def test_every_test_question_has_one_other_wording_with_as_many_turns():
    plain, other = load_questions(split="test"), load_questions(split="test", paraphrased=True)
    assert [q["id"] for q in other] == [q["id"] for q in plain]
    for a, b in zip(plain, other):
        assert len(a["turns"]) == len(b["turns"]) and a["turns"] != b["turns"]
        assert {k: v for k, v in a.items() if k != "turns"} == {k: v for k, v in b.items() if k != "turns"}


def test_the_rewordings_are_on_development_clips_only():
    import re

    from eval.bench_qa import QUESTIONS

    rows = load_questions(QUESTIONS.with_name("rewordings.jsonl"), split="dev")
    dev = {r["clip"] for r in load_questions(QUESTIONS, split="dev")}    # the benchmark's split is the one to keep
    assert not dev & {r["clip"] for r in load_questions(QUESTIONS, split="test")}
    assert len(rows) >= 250 and len({r["id"] for r in rows}) == len(rows)
    assert {r["clip"] for r in rows} <= dev                     # the test half's clips stay unseen
    assert all(r["turns"] and re.compile(r["accept"]) for r in rows)


def test_the_generated_check_accepts_the_key_words_endings_aside_and_uses_new_sentences():
    import re

    from eval.bench_qa_generated import CAPTIONS, SENTENCES, check_pools_are_new, holds, key_words

    check_pools_are_new()   # nothing the reader was trained on
    assert len(SENTENCES) >= 16 and len(CAPTIONS) >= 16 and all(s.strip() for s in SENTENCES)
    words = key_words("The penguins are fed twice a day.")
    assert words == ["penguins", "twice"]
    accept = holds(words)
    assert re.search(accept, 'Someone says "The penguin are fed twice a day."', re.I | re.S)   # an ending lost
    assert re.search(accept, 'Someone says "twice ... penguins"', re.I | re.S)                   # any order
    assert not re.search(accept, 'Someone says "The pelican is fed twice."', re.I | re.S)
