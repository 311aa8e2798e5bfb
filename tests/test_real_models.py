"""The embedded models on real clips (slow: loads SmolLM2, EfficientNet-Lite0; converts the GGUF once)."""
import os
from pathlib import Path

import pytest

from tests.conftest import shared_clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_assistant():
    # Share the de-quantised LLM across runs: it is the 15 s step, and the cache is what users get too.
    os.environ["VLM_CACHE"] = os.environ.get("VLM_REAL_CACHE", str(Path.home() / ".cache" / "vlm"))
    from vlm.assistant import VideoAssistant

    return VideoAssistant.build()


def test_drummer_answer_is_grounded(real_assistant):
    video = real_assistant.watch(shared_clip("demo/man_playing_drums.mp4"))
    assert "drum" in video.context.labels[0][0]
    assert video.context.segments[0].start == 0 and video.context.segments[-1].end == pytest.approx(36.3, abs=0.1)
    answer = real_assistant.answer(video, "What is happening in this video?", max_new_tokens=40)
    assert "drum" in answer.lower(), answer


def test_dog_clip_context_names_a_dog(real_assistant):
    video = real_assistant.watch(shared_clip("demo/dog_riding_skateboard.mp4"))
    assert video.context.labels[0][0] == "dog"
    assert all(s.labels[0][0] == "dog" for s in video.context.segments)


def test_embedded_efficientnet_prefers_tf_normalisation():
    """Its TensorFlow origin: (x - 0.5) / 0.5 gives the drum higher probability than ImageNet mean/std."""
    import torch

    from vlm.encoders import build_encoder
    from vlm.perception import _class_names
    from vlm.video import VideoTransform, load_clip
    from vlm.video.transforms import IMAGENET_MEAN, IMAGENET_STD

    enc = build_encoder("efficientnet-lite0")
    drum = _class_names().index("drum")
    path = shared_clip("demo/man_playing_drums.mp4")
    probs = {}
    for name, t in {"tf": enc.default_transform(), "imagenet": VideoTransform(224, IMAGENET_MEAN, IMAGENET_STD)}.items():
        clip = load_clip(path, num_frames=8, transform=t)
        with torch.no_grad():
            probs[name] = enc(clip.pixel_values[None]).logits.softmax(-1)[0, drum].item()
    assert probs["tf"] > probs["imagenet"] + 0.1, probs


def test_zero_shot_ranking_in_the_app_backend(real_assistant):
    from app.backend import rank_labels

    video = real_assistant.watch(shared_clip("demo/man_playing_drums.mp4"))
    ranked = rank_labels(video, ["cooking pasta", "playing drums", "riding a horse", "swimming", "typing"])
    assert ranked[0][0] == "playing drums", ranked
