"""Plan schema and repair, interpolation, constrained decoding with a tiny byte-level LM, rendering determinism,
the verifier catching a wrong video, the closed loop re-planning, and the CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from vlm.generation.layout import (NATURAL_COLOUR, EntitySpec, Layout, compile_layout, layout_schema,
                                   prompt_vocabulary, structure)
from vlm.generation.plan import PlanError, interpolate, llm_schema, parse_plan
from vlm.generation.planner import EXAMPLES
from vlm.generation.render import ProceduralRenderer, render_video
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
    assert verify(video, reversed_).score < 0.3
    recoloured = BALL.model_copy(deep=True)
    recoloured.entities[0].colour = "blue"  # no blue ball in the video
    assert verify(video, recoloured).score < 0.5
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
    invisible.entities[0].colour, invisible.entities[0].shape = "white", "circle"
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


def test_layout_schema_is_grounded_in_the_prompt():
    vocab = prompt_vocabulary("Two grey fish and a violet ball")
    assert vocab == {"shapes": ["fish", "ball"], "colours": ["grey", "purple"], "counts": [1, 2]}
    schema = layout_schema("a green tree to the left of a red house")
    items = schema["properties"]["entities"]["prefixItems"]
    assert [i["properties"]["shape"]["const"] for i in items] == ["tree", "house"]
    assert items[0]["properties"]["colour"]["enum"] == ["green", "red"]
    assert layout_schema("a red car to the right of a person")["properties"]["entities"]["prefixItems"][1][
        "properties"]["colour"]["enum"] == ["black", "red"]  # a person the prompt gives no colour may be black
    open_schema = layout_schema("something nice")  # names nothing we can draw: every shape and colour allowed
    assert "prefixItems" not in open_schema["properties"]["entities"]
    assert structure("two red balls fall down") == "several thing fall down"


def test_constrained_layout_from_a_random_model_names_what_the_prompt_names():
    from vlm.generation.constrained import generate_json
    from vlm.generation.plan import validate_json

    model, tok = _byte_lm()
    ids = tok("plan: three pink stars above a cyan car", add_special_tokens=False)["input_ids"]
    for seed in range(2):
        text, _ = generate_json(model, tok, ids, layout_schema("three pink stars above a cyan car"),
                                max_new_tokens=2000, temperature=1.0, seed=seed)
        layout = validate_json(text, Layout, "layout")
        assert [e.shape for e in layout.entities] == ["star", "car"]
        assert all(e.colour in ("pink", "cyan", NATURAL_COLOUR[e.shape]) and e.count in (1, 3)
                   for e in layout.entities)
        assert len(compile_layout(layout).entities) >= 2


def test_planner_rejects_an_unknown_mode():
    from vlm.generation.planner import Planner

    with pytest.raises(ValueError, match="available: \\['boxes', 'layout'\\]"):
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


def test_repair_changes_a_background_that_hides_an_entity():
    from vlm.generation.plan import MIN_CONTRAST, contrast

    hidden = compile_layout(Layout(background="dark", entities=[_spec(colour="black"), _spec("fish", "white")]))
    assert hidden.background != "dark" and contrast(hidden, hidden.background) >= MIN_CONTRAST
    shown = compile_layout(Layout(background="sea", entities=[_spec("fish", "orange", place="bottom")]))
    assert shown.background == "sea"  # the LLM's choice stands when everything shows


def test_repair_moves_apart_stacked_entities():
    e = json.loads(BALL.model_dump_json())["entities"][0]
    stacked = [dict(e, id=i, boxes=[[10, 10, 10, 10]] * 3) for i in (1, 2, 3)]
    plan = parse_plan(_plan_json(entities=stacked))
    from vlm.generation.plan import iou

    boxes = [p.boxes[0] for p in plan.entities]
    assert all(iou(a, b) < 0.5 for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(0 <= v <= 100 and v % 5 == 0 for b in boxes for v in b)
