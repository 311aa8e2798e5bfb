"""The planner: an LLM turns a prompt into a scene plan, decoding constrained to the plan's JSON schema.

A few worked examples show the format and the geometry (x grows to the right, y grows downwards, three keyframes:
start, middle, end). Decoding cannot leave the schema; what the schema cannot say (an id out of range, a zero-size
box) is caught by validation, and the planner retries with sampling before giving up with a clear error.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

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

EXAMPLES = [
    ("a red ball rolls from left to right on the grass",
     Plan(background="grass", captions=["a red ball on the left", "the ball rolls to the middle",
                                        "the ball reaches the right"],
          entities=[Entity(id=1, name="ball", colour="red", shape="ball",
                           boxes=[[5, 55, 15, 15], [45, 55, 15, 15], [80, 55, 15, 15]])])),
    ("two yellow stars fall down in the night sky",
     Plan(background="night", captions=["two stars at the top", "the stars fall", "the stars near the bottom"],
          entities=[Entity(id=1, name="star", colour="yellow", shape="star",
                           boxes=[[20, 5, 15, 15], [20, 40, 15, 15], [20, 80, 15, 15]]),
                    Entity(id=2, name="star", colour="yellow", shape="star",
                           boxes=[[65, 5, 15, 15], [65, 40, 15, 15], [65, 80, 15, 15]])])),
    ("a green tree to the left of a blue house while a white cloud grows",
     Plan(background="sky", captions=["a tree, a house and a small cloud", "the cloud grows",
                                      "a big cloud above the house"],
          entities=[Entity(id=1, name="tree", colour="green", shape="tree",
                           boxes=[[5, 40, 30, 50], [5, 40, 30, 50], [5, 40, 30, 50]]),
                    Entity(id=2, name="house", colour="blue", shape="house",
                           boxes=[[55, 50, 35, 40], [55, 50, 35, 40], [55, 50, 35, 40]]),
                    Entity(id=3, name="cloud", colour="white", shape="cloud",
                           boxes=[[40, 5, 15, 10], [35, 5, 25, 15], [30, 0, 35, 20]])])),
]


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

    def prompt_ids(self, description: str) -> list[int]:
        messages = [{"role": "system", "content": SYSTEM}]
        for text, plan in EXAMPLES:
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
