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
