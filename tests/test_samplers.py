"""Every sampler on a generated 60 s video where a shape appears at second 40: the event gets sampled; indices are
sorted, unique and inside the video; degenerate videos get a clear error."""
from __future__ import annotations

import numpy as np
import pytest

from vlm.data.synthetic import Scene, Shape, render_frames
from vlm.video import SAMPLERS, VideoReader, VideoReadError, sample_frames, write_video

FPS, SECONDS, EVENT = 5, 60, 40


@pytest.fixture(scope="module")
def event_video(tmp_path_factory):
    scene = Scene(shapes=(Shape("circle", "red", 0.2, 0.5, "right", 0.03, size=0.45, appear=EVENT),), width=96,
                  height=96, fps=FPS, num_frames=FPS * SECONDS, background="dark")
    return write_video(tmp_path_factory.mktemp("long") / "event.mp4", render_frames(scene), fps=FPS, gop=10)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_sampler_finds_the_event_and_returns_clean_indices(event_video, name):
    reader = VideoReader(event_video)
    kwargs = {"fps": 0.2} if name == "fps" else {"question": "a red ball"} if name == "query" else {}
    sel = sample_frames(reader, sampler=name, num_frames=6, **kwargs)
    idx = sel.indices
    assert (np.diff(idx) > 0).all() and idx.min() >= 0 and idx.max() < len(reader)
    assert np.allclose(sel.timestamps, idx / FPS)
    in_event = sel.timestamps >= EVENT
    assert in_event.any(), (name, sel.timestamps)
    if name == "motion":  # the cheap pass steers the budget to where things move
        assert in_event.mean() >= 0.5, (name, sel.timestamps)
    if name == "scene":  # every scene gets frames, shared by length (40 s before the cut, 20 s after)
        assert (~in_event).sum() > in_event.sum() >= 1
    if sel.candidates is not None:
        assert len(sel.candidates) == len(sel.candidate_scores) and sel.scores is not None


def test_scene_sampler_cuts_where_the_shot_changes(event_video):
    sel = sample_frames(VideoReader(event_video), sampler="scene", num_frames=4)
    cut_at = sel.candidates[np.argmax(sel.candidate_scores)] / FPS
    assert EVENT - 2.5 <= cut_at <= EVENT + 2.5


def test_degenerate_videos_get_clear_errors(tmp_path):
    one = write_video(tmp_path / "one.mp4", [np.zeros((32, 32, 3), np.uint8)], fps=5)
    for name in SAMPLERS:
        with pytest.raises(VideoReadError, match="1 frame"):
            sample_frames(VideoReader(one), sampler=name, num_frames=4, question="x")
    with pytest.raises(ValueError, match="needs a question"):
        sample_frames(VideoReader(write_video(tmp_path / "two.mp4", [np.zeros((32, 32, 3), np.uint8)] * 4, fps=5)),
                      sampler="query", num_frames=2)


def test_thumbnails_reuse_a_scaling_reader_and_match_a_small_decoder(event_video, monkeypatch):
    """A reader already scaling in the decoder is reused (no second decoder indexing the file again); the shrunk
    frames look like those of a decoder opened small."""
    from vlm.video import smart

    idx = np.array([0, 100, 250])
    small = smart.VideoReader(event_video, short_side=32).get_batch(idx).astype(float)
    reader = VideoReader(event_video, short_side=64)
    opened = []
    monkeypatch.setattr(smart, "VideoReader", lambda *a, **k: opened.append(a) or VideoReader(*a, **k))
    thumbs = smart.thumbnails(reader, idx, 32)
    assert opened == [] and thumbs.shape == small.shape
    assert np.abs(thumbs.astype(float) - small).mean() < 8  # same picture, different scaler
    smart.thumbnails(VideoReader(event_video), idx, 32)    # a full-size reader: a small decoder instead
    assert len(opened) == 1
