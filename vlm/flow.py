"""Dense optical flow with OpenCV (DIS or Farneback): (2, H, W) displacement fields, stacks of them for the
two-stream network's temporal stream, and the usual HSV colour-wheel picture."""
from __future__ import annotations

import cv2
import numpy as np

METHODS = ("dis", "farneback")


def to_grey(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def flow(a: np.ndarray, b: np.ndarray, method: str = "dis") -> np.ndarray:
    """Displacement (dx, dy) in pixels that carries frame a to frame b: (2, H, W) float32."""
    ga, gb = to_grey(a), to_grey(b)
    if method == "dis":
        f = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM).calc(ga, gb, None)
    elif method == "farneback":
        f = cv2.calcOpticalFlowFarneback(ga, gb, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    else:
        raise ValueError(f"Unknown flow method {method!r}; available: {list(METHODS)}")
    return f.transpose(2, 0, 1).astype(np.float32)


def flow_stack(frames: np.ndarray, method: str = "dis") -> np.ndarray:
    """(T, H, W[, 3]) uint8 frames -> (2 (T-1), H, W): x and y fields of consecutive pairs, stacked on channels
    (Simonyan and Zisserman's temporal-stream input)."""
    if len(frames) < 2:
        raise ValueError(f"optical flow needs at least 2 frames, got {len(frames)}")
    return np.concatenate([flow(frames[i], frames[i + 1], method) for i in range(len(frames) - 1)])


def flow_to_rgb(f: np.ndarray, max_magnitude: float | None = None) -> np.ndarray:
    """(2, H, W) flow -> (H, W, 3) uint8: hue = direction, brightness = speed."""
    dx, dy = f
    mag, ang = cv2.cartToPolar(dx.astype(np.float32), dy.astype(np.float32))
    hsv = np.zeros((*dx.shape, 3), np.uint8)
    hsv[..., 0] = (ang * 90 / np.pi).astype(np.uint8)                              # OpenCV hue is 0..180
    hsv[..., 1] = 255
    top = max_magnitude or max(float(mag.max()), 1e-6)
    hsv[..., 2] = np.clip(mag / top * 255, 0, 255).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
