"""Plan schema and repair, interpolation, constrained decoding with a tiny byte-level LM, rendering determinism,
the verifier catching a wrong video, the closed loop re-planning, and the CLI."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from vlm.generation.layout import (NATURAL_COLOUR, EntitySpec, Layout, compile_layout, layout_schema,
                                   prompt_vocabulary, structure)
from vlm.generation.plan import PlanError, interpolate, llm_schema, parse_plan
from vlm.generation.planner import EXAMPLES
from vlm.generation.render import ProceduralRenderer, render_video
from vlm.generation.pipeline import ADHERENCE_THRESHOLD
from vlm.generation.verify import verify

BALL = compile_layout(EXAMPLES[0][1])  # a red ball rolling left to right


def _plan_json(**over) -> str:
    d = json.loads(BALL.model_dump_json())
    d.update(over)
    return json.dumps(d)


def test_schema_rejects_bad_plans_with_reasons():
    assert parse_plan(_plan_json()).entities[0].shape == "ball"
    bad_entity = dict(json.loads(BALL.model_dump_json())["entities"][0])
    cases = {
        "not valid JSON": "{'background': 'sky'",
        "colour": _plan_json(entities=[{**bad_entity, "colour": "plaid"}]),
        "boxes": _plan_json(entities=[{**bad_entity, "boxes": [[0, 0, 10, 10]] * 2}]),
        "positive width": _plan_json(entities=[{**bad_entity, "boxes": [[0, 0, 0, 10]] * 3}]),
        "unique": _plan_json(entities=[bad_entity, bad_entity]),
        "captions": _plan_json(captions=["one"]),
    }
    for reason, text in cases.items():
        with pytest.raises(PlanError, match=reason):
            parse_plan(text)


def test_repair_keeps_boxes_inside_the_canvas():
    e = dict(json.loads(BALL.model_dump_json())["entities"][0], boxes=[[95, 90, 20, 20]] * 3)
    plan = parse_plan(_plan_json(entities=[e]))
    assert plan.entities[0].boxes[0] == [80, 80, 20, 20]


def test_interpolation_hits_keyframes_and_eases():
    keys = [[0, 0, 10, 10], [50, 0, 10, 10], [100, 0, 10, 10]]
    track = interpolate(keys, 49)
    assert track.shape == (49, 4)
    assert np.allclose(track[[0, 24, 48]], keys)
    steps = np.diff(track[:25, 0])
    assert steps[0] < steps[12] and steps[-1] < steps[12]  # eased: slow, fast, slow
    assert np.allclose(np.diff(interpolate(keys, 49, easing=False)[:25, 0]), 50 / 24)


def test_rendering_is_deterministic_under_a_seed():
    night = BALL.model_copy(update={"background": "night"})
    a = list(ProceduralRenderer().frames(night, num_frames=4, size=64, seed=3))
    b = list(ProceduralRenderer().frames(night, num_frames=4, size=64, seed=3))
    c = list(ProceduralRenderer().frames(night, num_frames=4, size=64, seed=4))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])  # the stars moved with the seed
    blurred = list(ProceduralRenderer(motion_blur=3).frames(night, num_frames=4, size=64, seed=3))
    assert not np.array_equal(a[1], blurred[1])


def test_verifier_passes_the_right_video_and_catches_a_wrong_one(tmp_path):
    video = render_video(BALL, tmp_path / "ball.mp4", num_frames=24, size=128)
    assert verify(video, BALL).score > 0.9
    reversed_ = BALL.model_copy(deep=True)
    reversed_.entities[0].boxes = reversed_.entities[0].boxes[::-1]  # planned right-to-left
    wrong_way = verify(video, reversed_)
    assert wrong_way.entities[0].direction == 0.0 and wrong_way.score < 0.5
    recoloured = BALL.model_copy(deep=True)
    recoloured.entities[0].colour = "blue"  # no blue ball in the video
    blue = verify(video, recoloured)
    assert blue.entities[0].colour == 0.0 and blue.score < ADHERENCE_THRESHOLD
    grows = BALL.model_copy(deep=True)
    grows.entities[0].boxes = [[5, 55, 15, 15], [45, 50, 20, 20], [75, 45, 25, 25]]
    assert verify(video, grows).entities[0].size == 0.0  # the rendered ball kept its size


def test_verifier_finds_thin_sprites_and_same_coloured_copies(tmp_path):
    scenes = {"person": [_spec("car", place="right"), _spec("person", place="left")],   # a stick figure, both red
              "stars": [_spec("star", "white", count=5, motion="down", place="top")]}
    for name, specs in scenes.items():
        plan = compile_layout(Layout(background="night", entities=specs))
        video = render_video(plan, tmp_path / f"{name}.mp4", num_frames=24, size=128)
        checks = verify(video, plan).entities
        assert len(checks) == sum(s.count for s in specs)
        assert all(c.position > 0.9 for c in checks), (name, checks)


def test_closed_loop_replans_when_the_video_fails_its_plan(tmp_path):
    from vlm.generation.pipeline import generate
    from vlm.generation.planner import PlanResult

    invisible = BALL.model_copy(deep=True)
    invisible.entities[0].colour = "white"
    invisible = invisible.model_copy(update={"background": "white"})   # a white disc on white: nothing to track
    plans = iter([invisible, BALL.model_copy(update={"background": "white"})])

    class ScriptedPlanner:
        def plan(self, prompt, *, seed=0, greedy_first=True):
            calls.append(greedy_first)
            return PlanResult(next(plans), 1, 0.0, 0, [])

    calls = []

    res = generate("a ball rolls right", tmp_path / "out.mp4", planner=ScriptedPlanner(), num_frames=24, size=128)
    assert res.replanned and res.plan.entities[0].colour == "red" and res.verification.score > 0.9
    assert res.attempts == 2 and sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]
    assert calls == [True, False]  # the re-plan samples: greedy decoding would write the same plan again


def _byte_lm():
    """A 2-layer Llama over a pure byte-level vocabulary: it can write any text, so any JSON."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {c: i for i, c in enumerate(bytes_to_unicode().values())}
    vocab["<|endoftext|>"] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>")
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, eos_token_id=fast.eos_token_id)
    return LlamaForCausalLM(cfg).eval(), fast


def test_constrained_decoding_makes_even_a_random_model_write_schema_json():
    from vlm.generation.constrained import generate_json

    model, tok = _byte_lm()
    ids = tok("plan: a ball", add_special_tokens=False)["input_ids"]
    texts = [generate_json(model, tok, ids, llm_schema(), max_new_tokens=3000, temperature=1.0, seed=s)[0]
             for s in range(2)]
    for text in texts:
        data = json.loads(text)
        assert list(data) == ["background", "entities", "captions"] and len(data["captions"]) == 3
        for e in data["entities"]:
            assert len(e["boxes"]) == 3 and all(len(b) == 4 and all(v % 5 == 0 and 0 <= v <= 100 for v in b)
                                                for b in e["boxes"])
    text, stats = generate_json(model, tok, ids, llm_schema(), max_new_tokens=3000)
    assert stats["forced"] > 0 and stats["forward_passes"] < stats["tokens"]  # forced tokens skip the model
    with pytest.raises(ValueError, match="did not finish within 5 tokens"):
        generate_json(model, tok, ids, llm_schema(), max_new_tokens=5)


def _spec(shape="ball", colour="red", count=1, motion="none", change="none", place="center"):
    return EntitySpec(shape=shape, colour=colour, count=count, motion=motion, change=change, place=place)


def _centre(box):
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def test_layout_words_compile_into_boxes_that_do_what_they_say():
    def plan(*specs):
        return compile_layout(Layout(background="sky", entities=list(specs)))

    for motion, axis, sign in (("right", 0, 1), ("left", 0, -1), ("down", 1, 1), ("up", 1, -1)):
        boxes = plan(_spec(motion=motion)).entities[0].boxes
        assert sign * (_centre(boxes[-1])[axis] - _centre(boxes[0])[axis]) >= 50, motion
        assert _centre(boxes[-1])[1 - axis] == _centre(boxes[0])[1 - axis]          # straight along its axis
    for change, bigger in (("bigger", True), ("smaller", False)):
        b = plan(_spec(change=change)).entities[0].boxes
        assert (b[-1][2] * b[-1][3] >= 2 * b[0][2] * b[0][3]) == bigger
    left_right = plan(_spec(shape="tree", place="left"), _spec(shape="house", place="right")).entities
    assert _centre(left_right[0].boxes[0])[0] < _centre(left_right[1].boxes[0])[0]
    above = plan(_spec(shape="sun", place="top"), _spec(shape="house", place="bottom")).entities
    assert _centre(above[0].boxes[0])[1] < _centre(above[1].boxes[0])[1]
    three = plan(_spec(count=3), _spec(shape="car", count=2, motion="left")).entities
    assert [e.shape for e in three] == ["ball"] * 3 + ["car"] * 2 and [e.id for e in three] == [1, 2, 3, 4, 5]
    for e in three:
        assert all(0 <= v <= 100 and v % 5 == 0 and b[0] + b[2] <= 100 and b[1] + b[3] <= 100
                   for b in e.boxes for v in b)


def test_layout_schema_is_built_from_the_parsed_prompt():
    vocab = prompt_vocabulary("Two grey fish and a violet ball")
    assert vocab == {"shapes": ["fish", "ball"], "colours": ["grey", "purple"], "counts": [1, 2]}
    schema = layout_schema("a green tree to the left of a red house")
    items = [i["properties"] for i in schema["properties"]["entities"]["prefixItems"]]
    assert [(i["shape"]["const"], i["colour"]["const"], i["motion"]["const"]) for i in items] == [
        ("tree", "green", "none"), ("house", "red", "none")]  # no motion in the prompt: it stays
    assert "enum" in items[0]["place"] and "const" not in items[0]["place"]  # where things go: the LLM's choice
    dog = layout_schema("three dogs run while a cat sleeps")["properties"]["entities"]["prefixItems"]
    assert dog[0]["properties"]["count"]["const"] == 3 and dog[1]["properties"]["motion"]["const"] == "none"
    assert dog[0]["properties"]["motion"]["enum"] == ["right", "left", "down", "up"]  # runs: which way is open
    assert dog[0]["properties"]["colour"]["const"] == "natural"  # a sprite the prompt gives no colour: as drawn
    assert layout_schema("two yellow stars at night")["properties"]["background"]["const"] == "night"
    open_schema = layout_schema("something nice")  # names nothing we can draw: every shape and colour allowed
    assert "prefixItems" not in open_schema["properties"]["entities"]
    assert structure("two red balls fall down") == "several thing fall down"


@pytest.mark.parametrize("prompt, rules", [
    ("two yellow stars float upward above a green field while a blue car drives to the left",
     ["2 star", "star is yellow", "star moves up", "1 car", "car is blue", "car moves left", "background grass"]),
    ("a black cat walks left while a brown dog stays still",
     ["1 cat", "cat is black", "cat moves left", "1 dog", "dog is brown", "dog stays still"]),
    ("Three little pigs and a wolf run from left to right",
     ["3 pig", "pig moves right", "1 wolf", "wolf moves right"]),
    ("a flock of birds flies above a small red house at night",
     ["3 bird", "bird moves", "1 house", "house is red", "bird above house", "background night"]),
    ("an orange fire truck drives towards the camera on the road",
     ["1 fire truck", "fire truck is orange", "fire truck moves towards", "background road"]),
    ("two taxis do not move, beside a grey elephant that gets bigger",
     ["2 taxi", "taxi stays still", "1 elephant", "elephant is grey", "elephant gets bigger", "taxi next to elephant"]),
    ("a green frog hops closer to the viewer while four ants head left",
     ["1 frog", "frog is green", "frog moves towards", "4 ant", "ant moves left"]),
    ("a white goat sleeps on the left side of a tractor against a white backdrop",
     ["1 goat", "goat is white", "goat stays still", "1 tractor", "goat left of tractor", "background white"]),
    ("a cat runs to the right side of the kitchen", ["1 cat", "cat moves right", "background indoor"]),
    ("three red snowmen and two octopuses stay still", ["3 snowman", "snowman is red", "snowman stays still",
                                                       "2 octopus", "octopus stays still"]),
])
def test_prompt_rules_are_read_from_the_prompt(prompt, rules):
    from vlm.generation.layout import parse
    from vlm.generation.prompt import rules_for

    spec = parse(prompt)
    assert sorted(r.describe(spec) for r in rules_for(spec)) == sorted(rules)


def test_any_noun_gets_a_sprite_of_itself_or_says_it_has_none():
    from vlm.generation.sprites import font_path, resolve

    if font_path() is None:
        pytest.skip("fonts-noto-color-emoji is not installed (make system-deps)")
    for noun, name in (("cat", "cat"), ("dog", "dog"), ("car", "automobile"), ("fire truck", "fire engine"),
                       ("apple", "red apple"), ("giraffe", "giraffe"), ("man", "person standing")):
        sprite = resolve(noun)
        assert (sprite.kind, sprite.key) == ("emoji", name)
    assert resolve("table").key != "table tennis paddle and ball"  # a word of a name is not the thing
    assert resolve("blorp").kind == "blob"


def test_a_plan_that_contradicts_its_prompt_scores_low_on_the_prompt(tmp_path):
    from vlm.generation.layout import parse
    from vlm.generation.prompt import rules_for
    from vlm.generation.rules import adherence, check_plan

    prompt = "two yellow stars float upward above a green field while a blue car drives to the left"
    spec = parse(prompt)
    rules = rules_for(spec)
    wrong = compile_layout(Layout(background="sky", entities=[   # the report: one blue star moving right
        _spec("star", "blue", motion="right", place="left"), _spec("car", "green", place="right")]))
    right = compile_layout(Layout(background="grass", entities=[
        _spec("star", "yellow", count=2, motion="up", place="bottom-left"),
        _spec("car", "blue", motion="left", place="right")]))
    on_plan = {r.rule: r.ok for r in check_plan(wrong, spec, rules)}
    assert adherence(check_plan(wrong, spec, rules)) < 0.3 and on_plan["1 car"] and not on_plan["star moves up"]
    assert adherence(check_plan(right, spec, rules)) == 1.0
    for plan, low in ((wrong, True), (right, False)):
        video = render_video(plan, tmp_path / "v.mp4", num_frames=24, size=128)
        check = verify(video, plan, spec=spec, rules=rules)
        assert check.score > 0.9                        # each video follows its own plan...
        assert (check.prompt_score < 0.3) == low        # ...but only one follows the prompt
        assert check.prompt_score == 1.0 or low


def test_things_are_kept_apart_and_counted_in_the_pixels(tmp_path):
    from vlm.generation.layout import crowding
    from vlm.generation.prompt import PromptSpec, Thing, rules_for

    crowded = Layout(background="sea", entities=[_spec("boy", "brown", count=2, place="bottom"),
                                                 _spec("lemon", "cyan", count=2, place="bottom"),
                                                 _spec("ambulance", "black", place="bottom")])
    plan = compile_layout(crowded, keep_background=True)
    groups = [[e.boxes for e in plan.entities if e.group == g] for g in range(3)]
    assert all(crowding(a, b) <= 0.3 for i, a in enumerate(groups) for b in groups[i + 1:])
    spec = PromptSpec("", [Thing("boy", 2, "brown"), Thing("lemon", 2, "cyan"), Thing("ambulance", 1, "black")],
                      background="sea")
    video = render_video(plan, tmp_path / "v.mp4", num_frames=12, size=256)
    seen = {r.rule: r.seen for r in verify(video, plan, spec=spec, rules=rules_for(spec)).prompt}
    assert seen["2 boy"] == "2" and seen["2 lemon"] == "2" and seen["1 ambulance"] == "1"
    assert seen["background sea"] == "sea"
    three = Layout(background="sea", entities=[_spec("boy", "brown", count=3, place="bottom")])
    plan3 = compile_layout(three, keep_background=True)
    video = render_video(plan3, tmp_path / "w.mp4", num_frames=12, size=256)
    assert {r.rule: r.seen for r in verify(video, plan3, spec=spec, rules=rules_for(spec)).prompt}["2 boy"] == "3"


def test_constrained_layout_from_a_random_model_names_what_the_prompt_names():
    from vlm.generation.constrained import generate_json
    from vlm.generation.plan import validate_json

    model, tok = _byte_lm()
    ids = tok("plan: three pink stars above a cyan car", add_special_tokens=False)["input_ids"]
    for seed in range(2):
        text, _ = generate_json(model, tok, ids, layout_schema("three pink stars above a cyan car"),
                                max_new_tokens=2000, temperature=1.0, seed=seed)
        layout = validate_json(text, Layout, "layout")
        assert [(e.shape, e.colour, e.count) for e in layout.entities] == [("star", "pink", 3), ("car", "cyan", 1)]
        assert len(compile_layout(layout).entities) == 4


def test_planner_rejects_an_unknown_mode():
    from vlm.generation.planner import Planner

    with pytest.raises(ValueError, match="available: \\['boxes', 'free', 'layout'\\]"):
        Planner(model=object(), tokenizer=object(), mode="grid")


def test_render_cli_and_bad_plan_file(tmp_path, capsys):
    from app.cli import main

    plan = tmp_path / "plan.json"
    plan.write_text(BALL.model_dump_json())
    assert main(["render", str(plan), "-o", str(tmp_path / "v.mp4"), "--frames", "12", "--size", "96"]) == 0
    assert "plan adherence" in capsys.readouterr().out and (tmp_path / "v.mp4").exists()
    plan.write_text('{"background": "mars"}')
    assert main(["render", str(plan), "-o", str(tmp_path / "w.mp4")]) == 2
    assert "does not fit the schema" in capsys.readouterr().err


def test_generate_cli_prints_each_prompt_rule_beside_plan_adherence(tmp_path, capsys, monkeypatch):
    import vlm.generation
    from app.cli import main
    from vlm.generation.layout import compile_layout
    from vlm.generation.planner import EXAMPLES, PlanResult

    class ScriptedPlanner:     # always plans "a red ball rolls from left to right"
        def __init__(self, **kwargs):
            pass

        def plan(self, prompt, *, seed=0, greedy_first=True):
            return PlanResult(compile_layout(EXAMPLES[0][1]), 1, 0.0, 0, [])

    monkeypatch.setattr(vlm.generation, "Planner", ScriptedPlanner)
    args = ["generate", "a blue ball rolls to the left", "-o", str(tmp_path / "v.mp4"), "--frames", "12", "--size", "96"]
    assert main(args) == 0
    out = capsys.readouterr().out
    rows = dict((m[3], (m[1], m[2])) for m in re.finditer(r"^  plan (ok|NO) +video (ok|NO) +(.+?)(?:  \(seen|$)", out, re.M))
    assert rows == {"1 ball": ("ok", "ok"), "ball is blue": ("NO", "NO"), "ball moves left": ("NO", "NO")}
    assert "prompt adherence: 33%" in out and "plan adherence: 100%" in out     # 1 of the 3 rules kept


def test_repair_changes_a_background_that_hides_an_entity():
    from vlm.generation.plan import MIN_CONTRAST, contrast

    hidden = compile_layout(Layout(background="dark", entities=[_spec(colour="black"), _spec("fish", "white")]))
    assert hidden.background != "dark" and contrast(hidden, hidden.background) >= MIN_CONTRAST
    shown = compile_layout(Layout(background="sea", entities=[_spec("fish", "orange", place="bottom")]))
    assert shown.background == "sea"  # the LLM's choice stands when everything shows
    asked = compile_layout(Layout(background="dark", entities=[_spec(colour="black")]), keep_background=True)
    assert asked.background == "dark"  # the prompt named the place: repair does not overrule it


def test_repair_moves_apart_stacked_entities():
    e = json.loads(BALL.model_dump_json())["entities"][0]
    stacked = [dict(e, id=i, boxes=[[10, 10, 10, 10]] * 3) for i in (1, 2, 3)]
    plan = parse_plan(_plan_json(entities=stacked))
    from vlm.generation.plan import iou

    boxes = [p.boxes[0] for p in plan.entities]
    assert all(iou(a, b) < 0.5 for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(0 <= v <= 100 and v % 5 == 0 for b in boxes for v in b)
