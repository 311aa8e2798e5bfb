import numpy as np
import pytest

from vlm.data.synthetic import Scene, Shape, caption, make_dataset, random_shape, render_frames
from vlm.video import VideoReader


def _centroid(frame, colour=(220, 40, 40)):
    mask = (np.abs(frame.astype(int) - colour).sum(-1) < 60)
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return np.nan, np.nan, 0
    return xs.mean(), ys.mean(), mask.sum()


@pytest.mark.parametrize("direction,axis,sign", [("left", 0, -1), ("right", 0, 1), ("up", 1, -1), ("down", 1, 1)])
def test_shapes_move_the_way_the_caption_says(direction, axis, sign):
    scene = Scene(shapes=(Shape("square", "red", 0.5, 0.5, direction, 0.2),), num_frames=12)
    frames = list(render_frames(scene))
    start, end = _centroid(frames[0]), _centroid(frames[-1])
    assert sign * (end[axis] - start[axis]) > 10  # pixels, on a 128 px canvas
    assert f"moves {direction}" in caption(scene)


def test_growth_rotation_and_appearance():
    grow = Scene(shapes=(Shape("circle", "red", direction="still", growth=1.5),), num_frames=24)
    frames = list(render_frames(grow))
    assert _centroid(frames[-1])[2] > 1.8 * _centroid(frames[0])[2]
    late = Scene(shapes=(Shape("square", "red", appear=1.0),), fps=12, num_frames=24)
    frames = list(render_frames(late))
    assert _centroid(frames[11])[2] == 0                                  # not there before second 1
    assert _centroid(frames[12])[2] > 100
    assert "from second 1" in caption(late)
    spin = Scene(shapes=(Shape("square", "red", direction="still", rotation=-90),))
    assert "rotates counterclockwise" in caption(spin)


def test_rendering_is_deterministic_under_a_seed():
    a = Scene(shapes=(random_shape(np.random.default_rng(5)),), noise=10, seed=1)
    b = Scene(shapes=(random_shape(np.random.default_rng(5)),), noise=10, seed=1)
    assert a == b
    assert all(np.array_equal(x, y) for x, y in zip(render_frames(a), render_frames(b)))


def test_make_dataset_writes_clips_and_manifest(tmp_path):
    items = make_dataset(tmp_path, 3, seed=0)
    rows = (tmp_path / "manifest.csv").read_text().splitlines()
    assert rows[0] == "path,label,text" and len(rows) == 4
    for it in items:
        assert len(VideoReader(tmp_path / it.path)) == 24
        assert it.text.startswith("A ")
