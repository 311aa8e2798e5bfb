"""Video I/O: probe, sample and transform video files without decoding more than the frames asked for."""
from vlm.video.io import VIDEO_EXTENSIONS, VideoInfo, VideoReader, VideoReadError, open_video, probe, write_video
from vlm.video.loader import VideoClip, load_clip, load_views
from vlm.video.sampling import (SAMPLERS, FrameSelection, clip_indices, fps_indices, multi_view_indices,
                                register_sampler, sample_frames, snap_to_keyframes, uniform_indices)
from vlm.video.transforms import VideoTransform, collate_videos
from vlm.video import smart  # noqa: E402,F401  (registers keyframe, scene, motion, salient, query)

__all__ = [
    "VIDEO_EXTENSIONS", "VideoInfo", "VideoReader", "VideoReadError", "open_video", "probe", "write_video",
    "VideoClip", "load_clip", "load_views", "SAMPLERS", "FrameSelection", "clip_indices", "fps_indices", "multi_view_indices",
    "register_sampler", "sample_frames", "snap_to_keyframes", "uniform_indices", "VideoTransform", "collate_videos",
]
