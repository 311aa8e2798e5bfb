"""Perception: what real models see and hear in a video, as the timestamped text context the LLM reads.

    vision   ImageNet objects, motion and scene cuts from the model's own frames (always)
    speech   what is said (Whisper via faster-whisper)
    text     what is written on screen (PP-OCR via rapidocr)
    people   how many people, posture, arms, hands and faces (MediaPipe)
    activity the likely activity among ~800 action names, from all of the above

Each part is a small module behind one interface (`base.PerceptionPart`): loaded lazily, cached by file hash.
"""
from vlm.perception.base import PARTS, Clip, PartUnavailable, PerceptionPart, build_part, fmt_span, fmt_time, register_part
from vlm.perception.context import PartState, PerceptionContext
from vlm.perception import ocr, people, speech  # noqa: E402,F401  (register the parts; their models load lazily)
from vlm.perception.perceiver import DEFAULT_PARTS, Perceiver, PerceptionSettings
from vlm.perception.vision import (GROUPS, Segment, build_context, dense_flow, direction_word, flow_motion, group_probs,
                                   motion_word, scene_cuts, top_labels, _class_names)  # noqa: F401

__all__ = ["PARTS", "Clip", "PartUnavailable", "PerceptionPart", "build_part", "fmt_span", "fmt_time",
           "register_part", "PartState", "PerceptionContext", "DEFAULT_PARTS", "Perceiver", "PerceptionSettings",
           "GROUPS", "Segment", "build_context", "dense_flow", "direction_word", "flow_motion", "group_probs",
           "motion_word", "scene_cuts", "top_labels"]
