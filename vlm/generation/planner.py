"""The planner: an LLM turns a prompt into a scene plan, decoding constrained to a JSON schema.

By default the LLM writes a layout in words (vlm.generation.layout), compiled into keyframe boxes; `mode="boxes"`
has it write the boxes itself. Worked examples show the format; the three closest to the prompt are chosen by
sentence similarity, since a small LLM follows a near example far better than a rule. Decoding cannot leave the
schema; what the schema cannot say is caught by validation, and the planner retries with sampling before giving
up with a clear error.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

from vlm.generation.constrained import generate_json
from vlm.generation.layout import EntitySpec, Layout, apply_prompt, compile_layout, parse, spec_schema, structure
from vlm.generation.plan import Plan, PlanError, llm_schema, parse_plan, validate_json
from vlm.runtime import model_thread

SYSTEM_BOXES = (
    "You plan short animated videos. Given a description, write a JSON scene plan: a background keyword, the "
    "entities (name, colour, shape) and for each entity three boxes [x, y, w, h] at the start, middle and end of "
    "the video, in percent of the frame: x from the left edge, y from the top edge, w and h the size. Something "
    "moving right has growing x; something falling has growing y; something growing has growing w and h. One "
    "entity per object: three balls are three entities. Then one short caption per keyframe."
)
SYSTEM_LAYOUT = (
    "You plan short animated videos. Given a description, write a JSON scene layout: a background keyword and, for "
    "each thing the description names, its shape, colour, how many, which way it moves (right, left, down, up or "
    "none), whether it gets bigger or smaller, and where it is (left, right, top, bottom, center or a corner; where it "
    "starts, if it moves). Something that falls moves down; something that rises moves up; something above "
    "another is at the top, the other at the bottom; something to the left of another is at the left, the other "
    "at the right."
)


def _ex(text: str, background: str, *entities: tuple) -> tuple[str, Layout]:
    """A worked example: entities as (shape, colour, count, motion, change, place)."""
    keys = ("shape", "colour", "count", "motion", "change", "place")
    return text, Layout(background=background, entities=[EntitySpec(**dict(zip(keys, e))) for e in entities])


# Worked examples, one or more per kind of request; the planner shows the LLM the ones closest to the prompt.
EXAMPLES = [
    _ex("a red ball rolls from left to right on the grass", "grass", ("ball", "red", 1, "right", "none", "left")),
    _ex("a green car drives to the right", "grass", ("car", "green", 1, "right", "none", "left")),
    _ex("a purple fish swims from right to left in the sea", "sea", ("fish", "purple", 1, "left", "none", "right")),
    _ex("two yellow stars fall down in the night sky", "night", ("star", "yellow", 2, "down", "none", "top")),
    _ex("an orange circle rises up", "sky", ("circle", "orange", 1, "up", "none", "bottom")),
    _ex("a blue square gets bigger", "white", ("square", "blue", 1, "none", "bigger", "center")),
    _ex("a yellow sun shrinks", "sky", ("sun", "yellow", 1, "none", "smaller", "center")),
    _ex("three pink circles on a white background", "white", ("circle", "pink", 3, "none", "none", "center")),
    _ex("two white clouds in the sky", "sky", ("cloud", "white", 2, "none", "none", "top")),
    _ex("four blue balls on the sand", "sand", ("ball", "blue", 4, "none", "none", "bottom")),
    _ex("an orange star gets smaller", "night", ("star", "orange", 1, "none", "smaller", "center")),
    _ex("one grey fish in the sea", "sea", ("fish", "grey", 1, "none", "none", "bottom")),
    _ex("a brown house to the left of a green tree", "grass",
        ("house", "brown", 1, "none", "none", "left"), ("tree", "green", 1, "none", "none", "right")),
    _ex("a person to the right of a blue car", "grass",
        ("person", "black", 1, "none", "none", "right"), ("car", "blue", 1, "none", "none", "left")),
    _ex("a white cloud above an orange house", "sky",
        ("cloud", "white", 1, "none", "none", "top"), ("house", "orange", 1, "none", "none", "bottom")),
    _ex("a grey car below a yellow sun", "sky",
        ("car", "grey", 1, "none", "none", "bottom"), ("sun", "yellow", 1, "none", "none", "top")),
    _ex("a red star and a cyan square", "dark",
        ("star", "red", 1, "none", "none", "left"), ("square", "cyan", 1, "none", "none", "right")),
    _ex("a black car next to a yellow tree", "grass",
        ("car", "black", 1, "none", "none", "left"), ("tree", "yellow", 1, "none", "none", "right")),
]
FEW_SHOT = 3


@dataclass
class PlanResult:
    plan: Plan
    attempts: int
    seconds: float
    tokens: int
    errors: list[str]


MODES = ("layout", "free", "boxes")


class Planner:
    """How the LLM plans (the bench measures each):

    - 'layout' (default): it writes a layout in words under a schema built from the parsed prompt (one entity per
      thing named, with the noun, colour, count, motion and size change the prompt gives fixed; it chooses where
      things are, what the prompt leaves open, the background when none is named); relations and size words are
      then applied to its places, and the words compiled into boxes.
    - 'free': the same layout words with nothing fixed by the prompt (shapes from the procedural set): the LLM
      reads the prompt and chooses every field itself.
    - 'boxes': it writes every keyframe box itself (for LLMs that can, e.g. several billion parameters).
    """

    def __init__(self, model=None, tokenizer=None, *, llm: str | None = None, mode: str = "layout",
                 relations: bool = True):
        if mode not in MODES:
            raise ValueError(f"Unknown planner mode {mode!r}; available: {sorted(MODES)}")
        if model is None:
            from vlm.weights import DEFAULT_LLM, load_causal_lm

            model, tokenizer = load_causal_lm(llm or DEFAULT_LLM)
        self.model, self.tokenizer, self.mode, self.relations = model, tokenizer, mode, relations

    @cached_property
    def _bank(self):
        from vlm.text import text_encoder

        return text_encoder().encode([structure(text) for text, _ in EXAMPLES])  # (E, D)

    def examples_for(self, description: str) -> list[tuple[str, Layout]]:
        """The FEW_SHOT worked examples whose structure (things and colours blanked) is most similar to the
        prompt's (MiniLM cosine), the closest one last: matched by object, a small LLM copies the example's motion."""
        from vlm.text import text_encoder

        sims = self._bank @ text_encoder().encode([structure(description)])[0]
        order = sims.argsort(descending=True)[:FEW_SHOT].tolist()[::-1]
        return [EXAMPLES[i] for i in order]

    def _answer(self, layout: Layout) -> str:
        """A worked example's answer as this mode's LLM writes it."""
        if self.mode == "boxes":
            return compile_layout(layout).model_dump_json(exclude={"canvas"})
        return layout.model_dump_json(exclude={"entities": {"__all__": {"size"}}})

    def schema_for(self, description: str) -> dict:
        from vlm.generation.prompt import PromptSpec

        if self.mode == "boxes":
            return llm_schema()
        return spec_schema(parse(description) if self.mode == "layout" else PromptSpec(""))

    def prompt_ids(self, description: str) -> list[int]:
        messages = [{"role": "system", "content": SYSTEM_BOXES if self.mode == "boxes" else SYSTEM_LAYOUT}]
        for text, layout in self.examples_for(description):
            messages += [{"role": "user", "content": text}, {"role": "assistant", "content": self._answer(layout)}]
        messages.append({"role": "user", "content": description.strip()})
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _parse(self, text: str, description: str) -> Plan:
        if self.mode == "boxes":
            return parse_plan(text)
        layout = validate_json(text, Layout, "layout")
        if self.mode == "free":
            return compile_layout(layout)
        spec = parse(description)
        if self.relations:
            layout = apply_prompt(layout, spec)
        return compile_layout(layout, keep_background=spec.background is not None,
                              relations=spec.relations if self.relations else ())

    @model_thread
    def plan(self, description: str, *, seed: int = 0, attempts: int = 3, max_new_tokens: int = 600,
             greedy_first: bool = True) -> PlanResult:
        """Greedy first (unless greedy_first=False: a re-plan wants another plan), then sampled retries; raises
        PlanError listing every attempt's problem."""
        if not description.strip():
            raise PlanError("the description is empty")
        ids, schema = self.prompt_ids(description), self.schema_for(description)
        errors, tokens, t0 = [], 0, time.perf_counter()
        for k in range(attempts):
            try:
                text, stats = generate_json(self.model, self.tokenizer, ids, schema, max_new_tokens=max_new_tokens,
                                            temperature=0.0 if k == 0 and greedy_first else 0.8, seed=seed + k)
                tokens += stats["tokens"]
                return PlanResult(self._parse(text, description), k + 1, time.perf_counter() - t0, tokens, errors)
            except (PlanError, ValueError) as e:
                errors.append(f"attempt {k + 1}: {e}")
        raise PlanError(f"no valid plan for {description!r} after {attempts} attempts: " + " | ".join(errors))
