import numpy as np
import pytest

from vlm.video import (VideoReader, clip_indices, fps_indices, multi_view_indices, sample_frames,
                       snap_to_keyframes, uniform_indices)


def test_uniform_takes_segment_centres():
    assert uniform_indices(100, 4).tolist() == [12, 37, 62, 87]
    assert uniform_indices(3, 6).tolist() == [0, 0, 1, 1, 2, 2]  # short videos repeat frames, stay sorted


@pytest.mark.parametrize("n,frames", [(0, 4), (10, 0)])
def test_uniform_rejects_empty(n, frames):
    with pytest.raises(ValueError):
        uniform_indices(n, frames)


def test_fps_sampling_rate_and_cap():
    idx = fps_indices(300, fps=30.0, target_fps=2.0)
    assert np.diff(idx).tolist() == [15] * (len(idx) - 1) and len(idx) == 20
    capped = fps_indices(300, fps=30.0, target_fps=2.0, max_frames=8)
    assert len(capped) == 8 and set(capped) <= set(idx)
    assert len(fps_indices(10, fps=5.0, target_fps=50.0)) == 10  # never more often than the source


def test_dense_clips_random_and_centred():
    rng = np.random.default_rng(0)
    starts = {int(clip_indices(100, 8, 4, mode="random", rng=rng)[0]) for _ in range(50)}
    assert len(starts) > 10 and max(starts) <= 100 - 29
    centre = clip_indices(100, 8, 4, mode="center")
    assert np.diff(centre).tolist() == [4] * 7 and centre[0] == (100 - 29) // 2
    short = clip_indices(5, 8, 2, mode="center")
    assert short.max() == 4 and (np.diff(short) >= 0).all()


def test_multi_view_clips_cover_the_video():
    views = multi_view_indices(300, 16, 2, num_clips=3)
    assert views.shape == (3, 16)
    assert views[0, 0] == 0 and views[-1, -1] == 299


def test_snap_to_keyframes_picks_the_nearest():
    keys = np.array([0, 250, 500, 750])
    assert snap_to_keyframes(np.array([10, 240, 380, 700, 900]), keys).tolist() == [0, 250, 500, 750, 750]


def test_samplers_return_timestamps(clip_path):
    reader = VideoReader(clip_path)
    sel = sample_frames(reader, sampler="uniform", num_frames=4)
    assert np.allclose(sel.timestamps, sel.indices / 12.0)
    sel = sample_frames(reader, sampler="fps", num_frames=50, fps=3)
    assert len(sel.indices) == 6
    with pytest.raises(ValueError, match="available"):
        sample_frames(reader, sampler="magic")
