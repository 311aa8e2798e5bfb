"""Questions of a word or two, and orders, written out as questions (vlm.perception.terse)."""
from __future__ import annotations

import pytest

from vlm.perception.terse import expanded


@pytest.mark.parametrize("typed, question", [
    ("Boat?", "Is there a boat?"),                    # the reader said "A lakeshore."
    ("Speech?", "Is anything said?"), ("Who?", "Who is in the video?"), ("People count?", "How many people are there?"),
    ("Length?", "How long is the video?"), ("vegetable?", "What vegetable is in the video?"),
    ("Animals?", "What animals are in the video?"), ("Sound?", "Is there any sound?"),
    ("Identify the sport.", "What sport is this?"), ("Name the vegetable.", "What vegetable is in the video?"),
    ("Name the instrument in the video.", "What instrument is in the video?"),
    ("Identify the man.", "Identify the man."),       # who someone is: not a thing
    ("When?", "When?"), ("Why?", "Why?"), ("Really?", "Really?"), ("And the dog?", "And the dog?"),   # follow-ups
    ("How many?", "How many?"), ("Where is it?", "Where is it?"), ("What language?", "What language?"),
    ("Is there a dog?", "Is there a dog?"), ("What is he doing?", "What is he doing?"),
    ("Name the objects on the table.", "Name the objects on the table.")])
def test_few_words_and_orders_are_written_out(typed, question):
    assert expanded(typed) == question
