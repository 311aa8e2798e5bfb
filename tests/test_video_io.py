import av
import torch
import numpy as np
import pytest

from vlm.data.synthetic import Scene, Shape, render_frames, write_clip
from vlm.video import VideoReader, VideoReadError, load_clip, probe, write_video


def test_probe_reports_the_written_geometry(clip_path):
    info = probe(clip_path)
    assert (info.num_frames, info.width, info.height, info.codec) == (24, 64, 64, "h264")
    assert info.fps == pytest.approx(12.0)
    assert info.duration == pytest.approx(2.0)


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_decoded_frames_match_what_was_rendered(clip_path, backend):
    scene = Scene(shapes=(Shape("square", "red", 0.3, 0.5, "right", 0.2, size=0.3),), width=64, height=64,
                  fps=12, num_frames=24)
    rendered = np.stack(list(render_frames(scene)))
    reader = VideoReader(clip_path, backend=backend)
    idx = [20, 0, 7]  # any order; returned in the order asked
    frames = reader.get_batch(idx)
    assert frames.shape == (3, 64, 64, 3) and frames.dtype == np.uint8
    err = np.abs(frames.astype(int) - rendered[idx].astype(int)).mean(axis=(1, 2, 3))
    assert (err < 6).all(), err  # H.264 at crf 23 is lossy, but the frames are the right ones
    wrong = np.abs(frames[0].astype(int) - rendered[0].astype(int)).mean()
    assert wrong > err[0] + 1  # frame 20 is not frame 0: the square has moved


def test_backends_agree(clip_path):
    a = VideoReader(clip_path, backend="decord").get_batch([3, 17])
    b = VideoReader(clip_path, backend="pyav").get_batch([3, 17])
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 2


def test_decoder_side_resize_keeps_aspect(tmp_path):
    scene = Scene(width=128, height=64, num_frames=4)
    path = write_clip(scene, tmp_path / "wide.mp4")
    reader = VideoReader(path, short_side=32)
    assert reader.get_batch([0]).shape == (1, 32, 64, 3)
    assert (reader.info.width, reader.info.height) == (128, 64)  # info describes the file, not the decode


def test_load_clip_shapes(clip_path):
    from vlm.video import VideoTransform

    clip = load_clip(clip_path, num_frames=8, transform=VideoTransform(size=32))
    assert tuple(clip.pixel_values.shape) == (8, 3, 32, 32)
    assert list(clip.selection.indices) == sorted(clip.selection.indices)
    assert clip.timestamps[-1] < clip.info.duration


# --- bad input: every case gets a VideoReadError naming the file and the reason -----------------------------------


def _zero_frame_video(path):
    """An AVI whose header declares a video stream but which holds no frame."""
    with av.open(str(path), "w", format="avi") as c:
        s = c.add_stream("mpeg4", rate=12)
        s.width = s.height = 64
        s.pix_fmt = "yuv420p"
        c.start_encoding()
    return path


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _truncate(src, dst, keep=0.5):
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


def _faststart_clip(path, n=96):
    with av.open(str(path), "w", options={"movflags": "faststart"}) as c:
        s = c.add_stream("libx264", rate=12)
        s.width = s.height = 64
        s.pix_fmt = "yuv420p"
        for f in render_frames(Scene(width=64, height=64, num_frames=n, noise=20)):
            c.mux(s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        c.mux(s.encode(None))
    return path


@pytest.mark.parametrize("case,reason", [
    ("missing", "no such file"),
    ("empty", "empty file"),
    ("text", "not a readable video"),
    ("directory", "is a directory"),
    ("truncated_moov", "not a readable video"),
    ("zero_frames", "zero frames"),
])
def test_bad_files_raise_clear_errors(tmp_path, clip_path, case, reason):
    path = {
        "missing": lambda: tmp_path / "nope.mp4",
        "empty": lambda: _write(tmp_path / "empty.mp4", b""),
        "text": lambda: _write(tmp_path / "notes.mp4", b"not a video at all"),
        "directory": lambda: tmp_path,
        "truncated_moov": lambda: _truncate(clip_path, tmp_path / "cut.mp4"),
        "zero_frames": lambda: _zero_frame_video(tmp_path / "zero.avi"),
    }[case]()
    with pytest.raises(VideoReadError) as e:
        VideoReader(path).get_batch([0])
    assert str(path) in str(e.value) and reason in str(e.value)


def test_truncated_stream_fails_on_read_not_silently(tmp_path):
    full = _faststart_clip(tmp_path / "fs.mp4")
    cut = _truncate(full, tmp_path / "fs_cut.mp4", keep=0.4)
    with pytest.raises(VideoReadError, match="corrupt or truncated|not a readable video"):
        reader = VideoReader(cut)
        reader.get_batch(np.arange(0, len(reader), 4))


def test_frame_past_the_end_names_the_numbers(clip_path):
    with pytest.raises(VideoReadError, match="cannot read frame 24 of 24"):
        VideoReader(clip_path).get_batch([0, 24])


def test_recently_decoded_frames_are_not_decoded_again(clip_path):
    reader = VideoReader(clip_path, cache_frames=4)
    first = reader.get_batch([3, 10, 5])
    asked = []
    decode = reader._impl.get_batch
    reader._impl.get_batch = lambda idx: asked.append(idx.tolist()) or decode(idx)
    again = reader.get_batch([10, 12, 3, 12])
    assert asked == [[12]]                                  # 3 and 10 came from the cache, 12 once
    assert np.array_equal(again[[0, 2]], first[[1, 0]]) and np.array_equal(again[1], again[3])
    reader.get_batch([20, 21])                              # holds 4: the oldest (5, 3) are dropped
    assert sorted(reader._cache) == [10, 12, 20, 21]


def test_keyframe_fast_path_returns_the_same_frames_without_the_main_decoder(tmp_path):
    scene = Scene(shapes=(Shape("circle", "blue", 0.1, 0.5, "right", 0.6, size=0.3),), width=96, height=64,
                  fps=12, num_frames=48)
    path = write_video(tmp_path / "gop.mp4", render_frames(scene), fps=12, gop=6)
    reader = VideoReader(path, size=(64, 48))
    keys = reader.key_indices()
    assert len(keys) >= 6
    asked = []
    decode = reader._impl.get_batch
    reader._impl.get_batch = lambda idx: asked.append(idx.tolist()) or decode(idx)
    want = [int(keys[3]), 7, int(keys[1])]                 # 7 is not a keyframe
    fast = reader.get_keyframes(want)
    assert asked == [[7]]                                    # only the non-keyframe went through the decoder
    ref = VideoReader(path, size=(64, 48), cache_frames=0)
    for frame, i in zip(fast, want):
        near = ref.get_batch([i - 1, i, i + 1]).astype(float)  # the frame itself, not a neighbour
        err = np.abs(near - frame).mean(axis=(1, 2, 3))
        assert err.argmin() == 1 and err[1] < 2, (i, err)
    assert np.array_equal(reader.get_batch([int(keys[3])])[0], fast[0]) and asked == [[7]]  # cached for the model


def test_write_video_is_atomic_and_checks_sizes(tmp_path):
    target = tmp_path / "odd.mp4"
    with pytest.raises(ValueError, match="even frame sizes"):
        write_video(target, [np.zeros((63, 64, 3), np.uint8)], fps=10)
    assert not target.exists() and list(tmp_path.iterdir()) == []  # no half-written file left behind


def test_multi_view_clips_and_crops(tmp_path):
    from vlm.video import VideoTransform, load_views

    path = write_clip(Scene(width=96, height=64, num_frames=30), tmp_path / "wide.mp4")
    views = load_views(path, clip_len=4, stride=2, num_clips=3, num_crops=3, transform=VideoTransform(size=32))
    assert tuple(views.shape) == (9, 4, 3, 32, 32)
    assert not torch.equal(views[0], views[3])  # different clips (time)
    assert not torch.equal(views[0], views[2])  # different crops (space)


def test_broken_duration_metadata_falls_back_to_an_exact_pyav_index():
    """UCF101's remuxed mpeg4 mp4s carry no duration; decord refuses them, PyAV indexes their packets."""
    from tests.conftest import shared_clip

    reader = VideoReader(shared_clip("actions/Biking/v_Biking_g01_c01.mp4"))
    assert reader.backend == "pyav" and len(reader) == 151
    frames = reader.get_batch([150, 0, 75])
    assert frames.shape == (3, 256, 340, 3) and frames.std() > 10
