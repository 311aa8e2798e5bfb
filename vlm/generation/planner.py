"""The planner: an LLM turns a prompt into a scene plan, decoding constrained to the plan's JSON schema.

Worked examples show the format and the geometry (x grows to the right, y grows downwards, three keyframes:
start, middle, end); the three closest to the prompt are chosen by sentence similarity, since a small LLM follows
a near example far better than a rule. Decoding cannot leave the schema; what the schema cannot say (an id out of range, a zero-size
box) is caught by validation, and the planner retries with sampling before giving up with a clear error.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

from vlm.generation.constrained import generate_json
from vlm.generation.plan import Entity, Plan, PlanError, llm_schema, parse_plan
from vlm.runtime import model_thread

SYSTEM = (
    "You plan short animated videos. Given a description, write a JSON scene plan: a background keyword, the "
    "entities (name, colour, shape) and for each entity three boxes [x, y, w, h] at the start, middle and end of "
    "the video, in percent of the frame: x from the left edge, y from the top edge, w and h the size. Something "
    "moving right has growing x; something falling has growing y; something growing has growing w and h. One "
    "entity per object: three balls are three entities. Then one short caption per keyframe."
)


def _ex(text: str, background: str, captions: list[str], *entities: tuple) -> tuple[str, Plan]:
    """A worked example: entities as (name, colour, shape, boxes)."""
    return text, Plan(background=background, captions=captions,
                      entities=[Entity(id=i + 1, name=n, colour=c, shape=sh, boxes=b)
                                for i, (n, c, sh, b) in enumerate(entities)])


STILL = lambda box: [box, box, box]  # noqa: E731

# Worked examples, one or more per kind of request; the planner shows the LLM the ones closest to the prompt.
EXAMPLES = [
    _ex("a red ball rolls from left to right on the grass", "grass",
        ["a red ball on the left", "the ball rolls to the middle", "the ball reaches the right"],
        ("ball", "red", "ball", [[5, 55, 15, 15], [45, 55, 15, 15], [80, 55, 15, 15]])),
    _ex("a green car drives to the right", "grass", ["a car on the left", "the car drives", "the car on the right"],
        ("car", "green", "car", [[5, 50, 30, 20], [35, 50, 30, 20], [65, 50, 30, 20]])),
    _ex("a purple fish swims from right to left in the sea", "sea",
        ["a fish on the right", "the fish swims left", "the fish on the left"],
        ("fish", "purple", "fish", [[75, 60, 20, 15], [40, 60, 20, 15], [5, 60, 20, 15]])),
    _ex("two yellow stars fall down in the night sky", "night",
        ["two stars at the top", "the stars fall", "the stars near the bottom"],
        ("star", "yellow", "star", [[20, 5, 15, 15], [20, 40, 15, 15], [20, 80, 15, 15]]),
        ("star", "yellow", "star", [[65, 5, 15, 15], [65, 40, 15, 15], [65, 80, 15, 15]])),
    _ex("an orange circle rises up", "sky", ["a circle at the bottom", "the circle rises", "the circle at the top"],
        ("circle", "orange", "circle", [[40, 80, 20, 20], [40, 40, 20, 20], [40, 0, 20, 20]])),
    _ex("a blue square gets bigger", "white", ["a small square", "the square grows", "a big square"],
        ("square", "blue", "square", [[40, 40, 20, 20], [30, 30, 40, 40], [20, 20, 60, 60]])),
    _ex("a yellow sun shrinks", "sky", ["a big sun", "the sun shrinks", "a small sun"],
        ("sun", "yellow", "sun", [[20, 20, 60, 60], [30, 30, 40, 40], [40, 40, 20, 20]])),
    _ex("three pink circles on a white background", "white", ["three circles", "three circles", "three circles"],
        ("circle", "pink", "circle", STILL([5, 40, 20, 20])), ("circle", "pink", "circle", STILL([40, 40, 20, 20])),
        ("circle", "pink", "circle", STILL([75, 40, 20, 20]))),
    _ex("two white clouds in the sky", "sky", ["two clouds", "two clouds", "two clouds"],
        ("cloud", "white", "cloud", STILL([10, 10, 30, 20])), ("cloud", "white", "cloud", STILL([55, 15, 30, 20]))),
    _ex("one grey fish in the sea", "sea", ["a fish", "a fish", "a fish"],
        ("fish", "grey", "fish", STILL([40, 60, 20, 15]))),
    _ex("a brown house to the left of a green tree", "grass", ["a house and a tree", "a house and a tree",
                                                                "a house and a tree"],
        ("house", "brown", "house", STILL([5, 45, 35, 40])), ("tree", "green", "tree", STILL([60, 35, 30, 50]))),
    _ex("a person to the right of a blue car", "grass", ["a car and a person", "a car and a person",
                                                          "a car and a person"],
        ("car", "blue", "car", STILL([5, 55, 35, 25])), ("person", "black", "person", STILL([65, 40, 15, 40]))),
    _ex("a white cloud above an orange house", "sky", ["a cloud over a house", "a cloud over a house",
                                                        "a cloud over a house"],
        ("cloud", "white", "cloud", STILL([30, 5, 35, 20])), ("house", "orange", "house", STILL([30, 50, 35, 40]))),
    _ex("a red star and a cyan square", "dark", ["a star and a square", "a star and a square", "a star and a square"],
        ("star", "red", "star", STILL([15, 40, 20, 20])), ("square", "cyan", "square", STILL([60, 40, 20, 20]))),
    _ex("a black car next to a yellow tree", "grass", ["a car by a tree", "a car by a tree", "a car by a tree"],
        ("car", "black", "car", STILL([10, 55, 35, 25])), ("tree", "yellow", "tree", STILL([60, 35, 30, 50]))),
]
FEW_SHOT = 3


@dataclass
class PlanResult:
    plan: Plan
    attempts: int
    seconds: float
    tokens: int
    errors: list[str]


class Planner:
    def __init__(self, model=None, tokenizer=None, *, llm: str | None = None):
        if model is None:
            from vlm.weights import DEFAULT_LLM, load_causal_lm

            model, tokenizer = load_causal_lm(llm or DEFAULT_LLM)
        self.model, self.tokenizer = model, tokenizer
        self.schema = llm_schema()

    @cached_property
    def _bank(self):
        from vlm.text import text_encoder

        return text_encoder().encode([text for text, _ in EXAMPLES])             # (E, D)

    def examples_for(self, description: str) -> list[tuple[str, Plan]]:
        """The FEW_SHOT worked examples most similar to the prompt (MiniLM cosine), the closest one last."""
        from vlm.text import text_encoder

        sims = self._bank @ text_encoder().encode([description])[0]
        order = sims.argsort(descending=True)[:FEW_SHOT].tolist()[::-1]
        return [EXAMPLES[i] for i in order]

    def prompt_ids(self, description: str) -> list[int]:
        messages = [{"role": "system", "content": SYSTEM}]
        for text, plan in self.examples_for(description):
            messages += [{"role": "user", "content": text}, {"role": "assistant", "content": plan.model_dump_json()}]
        messages.append({"role": "user", "content": description.strip()})
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    @model_thread
    def plan(self, description: str, *, seed: int = 0, attempts: int = 3, max_new_tokens: int = 600) -> PlanResult:
        """Greedy first, then sampled retries; raises PlanError listing every attempt's problem."""
        if not description.strip():
            raise PlanError("the description is empty")
        ids = self.prompt_ids(description)
        errors, tokens, t0 = [], 0, time.perf_counter()
        for k in range(attempts):
            try:
                text, stats = generate_json(self.model, self.tokenizer, ids, self.schema, max_new_tokens=max_new_tokens,
                                            temperature=0.0 if k == 0 else 0.8, seed=seed + k)
                tokens += stats["tokens"]
                return PlanResult(parse_plan(text), k + 1, time.perf_counter() - t0, tokens, errors)
            except (PlanError, ValueError) as e:
                errors.append(f"attempt {k + 1}: {e}")
        raise PlanError(f"no valid plan for {description!r} after {attempts} attempts: " + " | ".join(errors))
