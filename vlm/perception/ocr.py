"""What is written: on-screen text read with PP-OCR (rapidocr, ONNX models bundled in its wheel).

A handful of frames spread over the video are read at up to 640 px on the long side; readings under 0.8
confidence are dropped (it reads junk off water and tiles). The same text in the same place over several
frames is one item with the span it is visible; pieces of one caption (lines read separately) are joined.
Text that stays put for the whole video is an overlay, and a stock-footage or editing-app name ("shutterstock",
"clideo.com") is a watermark: the context says so rather than present it as what the video shows.
"""
from __future__ import annotations

import difflib
import re
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from vlm.english import END_POINT, YES_NO_QUESTION, points_to_start
from vlm.perception.base import Clip, PerceptionPart, PartUnavailable, Progress, fmt_span, register_part
from vlm.perception.speech import SPEECH_QUESTION

MIN_SCORE = 0.8
WATERMARKS = ("shutterstock", "gettyimages", "getty images", "istock", "alamy", "pond5", "storyblocks", "videoblocks",
              "dreamstime", "depositphotos", "123rf", "adobe stock", "clideo.com", "vecteezy", "pexels", "pixabay",
              "tiktok", "capcut", "kinemaster", "inshot", "filmora", "videvo", "envato")
_DOMAIN = re.compile(r"\b[\w-]{2,}\.(com|net|org|io|tv|co|me)\b", re.I)


@dataclass
class TextItem:
    text: str
    start: float          # first and last analysed frame it was read in (seconds)
    end: float
    kind: str = "text"    # "text" | "overlay" (in place for the whole video) | "watermark"
    score: float = 0.0
    x: float = 0.5        # centre, as fractions of the frame
    y: float = 0.5


@dataclass
class ScreenText:
    items: list[TextItem] = field(default_factory=list)
    frames_read: int = 0
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ScreenText":
        return cls(**{**d, "items": [TextItem(**i) for i in d.get("items", [])]})

    def lines(self, max_items: int | None = None) -> list[str]:
        content = [i for i in self.items if i.kind != "watermark"]
        marks = [i for i in self.items if i.kind == "watermark"]
        if max_items is not None:
            content = content[:max_items]
        if not content:
            out = [f"On-screen text: {self.note or 'none seen'}."]
        else:
            out = ["On-screen text (read by OCR): " + "; ".join(
                f'"{i.text}" ' + ("(shown throughout, an overlay)" if i.kind == "overlay" else fmt_span(i.start, i.end))
                for i in content) + "."]
        if marks:
            out.append("Watermark: " + ", ".join(f'"{i.text}"' for i in marks) +
                       " (a stock-footage or editing-app mark, not part of the scene).")
        return out


def watermark_name(text: str) -> str | None:
    """The canonical name when the text is (a misreading of) a known watermark or a bare domain name."""
    t = text.lower().strip()
    for w in WATERMARKS:
        if w in t or difflib.SequenceMatcher(None, w, t).ratio() >= 0.8:
            return w
    return t if _DOMAIN.fullmatch(t) else None


@lru_cache(maxsize=1)
def _words_known() -> frozenset[str]:
    """Whole English words (MiniLM's WordPiece vocabulary, already installed); empty without it."""
    from vlm.weights import weights_path

    try:
        vocab = (weights_path("minilm-l6-v2") / "vocab.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    return frozenset(w for w in vocab.split() if w.isalpha())


def spaced(text: str) -> str:
    """Words OCR ran together at a capital put apart: "Grand OpeningTonight" -> "Grand Opening Tonight", where
    each part is a known word and the whole is not ("PlayStation" stays). On the generated captions 4 of 64
    readings lost a space this way."""
    known = _words_known()

    def split(m: re.Match) -> str:
        word = m.group(0)
        parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", word)
        if len(parts) < 2 or "".join(parts) != word or word.lower() in known or \
                not all(x.lower() in known for x in parts):
            return word
        return " ".join(parts)

    return re.sub(r"[A-Za-z]*[a-z][A-Z][A-Za-z]*", split, text)


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


@lru_cache(maxsize=1)
def _engine(threads: int, side: int):
    from rapidocr import RapidOCR

    return RapidOCR(params={"Det.limit_type": "max", "Det.limit_side_len": side, "Global.use_cls": False,
                            "Global.log_level": "critical",
                            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1})


_load_lock = threading.Lock()


@register_part
class TextPart(PerceptionPart):
    name = "text"
    title = "What is written"
    version = 3
    requires = ("rapidocr", "onnxruntime")
    install = "rapidocr"

    def __init__(self, per_second: float = 0.3, at_least: int = 4, at_most: int = 12, side: int = 640,
                 threads: int = 2):
        self.per_second, self.at_least, self.at_most = per_second, at_least, at_most
        self.side, self.threads = side, threads

    def settings(self) -> dict:
        return {"per_second": self.per_second, "at_least": self.at_least, "at_most": self.at_most, "side": self.side}

    def estimate_seconds(self, clip: Clip) -> float:
        return 0.2 * len(self._times(clip))

    def _times(self, clip: Clip) -> np.ndarray:
        return clip.sample_times(self.per_second, at_least=self.at_least, at_most=self.at_most)

    def load(self):
        if self.missing():
            raise PartUnavailable(self.missing())
        with _load_lock:
            return _engine(self.threads, self.side)

    def run(self, clip: Clip, progress: Progress) -> ScreenText:
        engine = self.load()
        times = self._times(clip)
        times, frames = clip.frames_at(times, long_side=self.side)
        readings, previous, last = [], None, []
        for k, (t, frame) in enumerate(zip(times, frames)):
            thumb = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), (128, 72), interpolation=cv2.INTER_AREA)
            if previous is None or _changed(previous, thumb):
                last = _read(engine, frame)  # a frame that did not change keeps the last frame's reading
            previous = thumb
            readings.append((float(t), last))
            progress((k + 1) / len(times))
        items = group_readings(readings, float(clip.info.duration))
        return ScreenText(items, len(times), "" if items else "none seen")

    def result_from_dict(self, d: dict) -> ScreenText:
        return ScreenText.from_dict(d)


def _changed(a: np.ndarray, b: np.ndarray, threshold: float = 3.0) -> bool:
    """Whether any 8x8 block of two small grey frames differs on average by more than threshold (of 255): a
    caption appearing changes a few blocks a lot, which a whole-frame mean would average away."""
    diff = cv2.absdiff(a, b).astype(np.float32)
    return float(cv2.resize(diff, (16, 9), interpolation=cv2.INTER_AREA).max()) > threshold


def _read(engine, frame: np.ndarray) -> list[tuple[str, float, tuple[float, float, float, float]]]:
    """[(text, score, (cx, cy, w, h) as fractions)] for the confident readings of one RGB frame."""
    out = engine(np.ascontiguousarray(frame[..., ::-1]))  # rapidocr takes OpenCV's BGR
    if out.txts is None:
        return []
    h, w = frame.shape[:2]
    found = []
    for text, score, box in zip(out.txts, out.scores, out.boxes):
        if score < MIN_SCORE or len(_norm(text)) < 2 and not (text.strip().isdigit() and score >= 0.95):
            continue  # a lone letter is mostly a misread edge; a lone digit (a countdown) must be clear
        box = np.asarray(box, dtype=np.float32)
        x0, y0, x1, y1 = box[:, 0].min(), box[:, 1].min(), box[:, 0].max(), box[:, 1].max()
        found.append((spaced(text.strip()), float(score), (float((x0 + x1) / 2 / w), float((y0 + y1) / 2 / h),
                                                   float((x1 - x0) / w), float((y1 - y0) / h))))
    return found


def group_readings(readings: list[tuple[float, list]], duration: float) -> list[TextItem]:
    """Per-frame readings -> items: one per text that stays in one place, with its span and its kind."""
    tracks: list[dict] = []
    for t, found in readings:
        for text, score, (cx, cy, bw, bh) in found:
            key = _norm(text)
            match = next((tr for tr in tracks if abs(tr["cx"] - cx) < 0.1 and abs(tr["cy"] - cy) < 0.06
                          and difflib.SequenceMatcher(None, tr["key"], key).ratio() >= 0.6), None)
            if match is None:
                match = {"key": key, "cx": cx, "cy": cy, "h": bh, "w": bw, "times": [], "texts": {}}
                tracks.append(match)
            match["times"].append(t)
            match["texts"][text] = match["texts"].get(text, 0.0) + score
    n_frames = len(readings)
    items = []
    for tr in tracks:
        times = sorted(set(tr["times"]))
        text = max(tr["texts"], key=tr["texts"].get)  # the reading with the most confidence over frames
        whole = len(times) >= max(2, 0.8 * n_frames) and n_frames >= 3
        mark = watermark_name(text)
        kind = "watermark" if mark else "overlay" if whole else "text"
        items.append(TextItem(mark or text, round(times[0], 2), round(times[-1], 2), kind,
                              round(tr["texts"][text] / len(tr["times"]), 3), round(tr["cx"], 3), round(tr["cy"], 3)))
    return _join_lines(sorted(items, key=lambda i: (i.start, i.y, i.x)))


def _join_lines(items: list[TextItem]) -> list[TextItem]:
    """Lines of one caption (same span, stacked closely, not watermarks) read as one text, top to bottom."""
    out: list[TextItem] = []
    for it in items:
        prev = out[-1] if out else None
        if (prev is not None and it.kind != "watermark" and prev.kind == it.kind and
                (prev.start, prev.end) == (it.start, it.end) and 0 < it.y - prev.y < 0.12 and abs(it.x - prev.x) < 0.3):
            prev.text = f"{prev.text} {it.text}"
            prev.y = it.y
            continue
        out.append(it)
    return out


# A question about what is written (not what is said): "What word appears across the video?", "What does the
# caption say?". "word(s)" alone counts only without a speech verb ("What words does he say?" is speech).
TEXT_QUESTION = re.compile(r"\b(?:written|writing|writes?|text|texts|caption|captions|title|subtitles?|letters|"
                           r"lettering|logo|printed|on[- ]screen)\b", re.I)
WORD_QUESTION = re.compile(r"\bwords?\b", re.I)
# "Is there any writing on the video?", "Is there a watermark?" (not "Is the man writing?")
WATERMARK = re.compile(r"\bwater ?marks?\b", re.I)
ANY_TEXT = re.compile(WATERMARK.pattern + r"|\btexts?\b|\bon[- ]screen\b|\b(?:any|some|a|an)\s+(?:\w+\s+)?(?:writing|"
                      r"words?|captions?|titles?|subtitles?|logos?|letters|lettering)\b", re.I)
OPEN_QUESTION = re.compile(r"^\W*(?:and\s+)?(?:what|which)\b", re.I)


def asks_about_text(question: str) -> bool:
    """A "what/which" question about what is written (yes/no and "when" ones stay with the reader)."""
    if not OPEN_QUESTION.search(question):
        return False
    return bool(TEXT_QUESTION.search(question) or (WORD_QUESTION.search(question) and not SPEECH_QUESTION.search(question)))


def answer_written(question: str, context) -> str | None:
    """The watermark, for a question about what is written (or whether anything is, or a watermark) when OCR read
    nothing else. The reader is trained to
    say so ('there is only a "shutterstock" watermark') but says "No text appears on screen." with the watermark
    line in front of it. Questions with text to read are left to the reader, which quotes it."""
    text = context.part("text")
    yes_no = bool(YES_NO_QUESTION.search(question) and ANY_TEXT.search(question))
    if text is None or not (yes_no or asks_about_text(question)):
        return None
    marks = [i for i in text.items if i.kind == "watermark"]
    if not marks or any(i.kind != "watermark" for i in text.items):
        return None
    if yes_no:   # "Is there any writing on the video?": the reader said "No. No text appears on screen."
        return f'Yes, only a "{marks[0].text}" watermark; no other text is written in the scene.'
    return only_watermark(marks[0].text)


def only_watermark(mark: str) -> str:
    return f'No text is written in the scene; there is only a "{mark}" watermark.'


# "How many captions are there?": the reader said "No text appears on screen." over a caption line.
TEXT_COUNT = re.compile(r"^\W*(?:and\s+)?how\s+many\s+(?:different\s+|separate\s+)?(?:pieces\s+of\s+text|texts|captions|"
                        r"titles|subtitles|text\s+(?:items|overlays|boxes|labels)|labels|signs\s+with\s+text)\b", re.I)
# "What text appears at the end?", "What is the first caption?": the reader quotes the first item wherever asked.
TEXT_POSITION = re.compile(END_POINT, re.I)
END_SHARE = 0.2     # "at the end" / "at the start": the last (first) fifth of the video, at least a second


def _items_text(items: list[TextItem]) -> str:
    return "; ".join(f'"{i.text}" ' + ("(throughout)" if i.kind == "overlay" else f"({fmt_span(i.start, i.end)})")
                     for i in items)


def answer_text_count(question: str, context) -> str | None:
    """'One: "#1:Foul tip" (0:01-0:02).' for "How many captions are there?" (watermarks are not counted); None
    for other questions and while the text part runs."""
    text = context.part("text")
    if text is None or not TEXT_COUNT.search(question):
        return None
    read = [i for i in text.items if i.kind != "watermark"]
    if not read:
        return "None: no text is read on screen."
    n = ["One", "Two", "Three", "Four", "Five"][len(read) - 1] if len(read) <= 5 else str(len(read))
    return f"{n}: {_items_text(read[:6])}" + (" ..." if len(read) > 6 else "") + "."


def answer_text_at(question: str, context) -> str | None:
    """The first or last item read, or those read at the start or end of the video, for "What text appears at the
    end?"; None for other questions, where nothing is read (the reader says so) and while the text part runs."""
    text = context.part("text")
    if text is None or not asks_about_text(question) or (where := TEXT_POSITION.search(question)) is None:
        return None
    read = [i for i in text.items if i.kind != "watermark"]
    if not read:
        return None
    first = points_to_start(where)
    if where.group("w"):                        # "the first caption": an item, wherever it is
        item = read[0] if first else read[-1]
        return f'The {"first" if first else "last"} text read is {_items_text([item])}.'
    duration = context.info.duration
    span = max(1.0, END_SHARE * duration)
    a, b = (0.0, span) if first else (duration - span, duration)
    shown = [i for i in read if i.kind == "overlay" or i.start <= b and i.end >= a]
    head = f'{"At the start" if first else "At the end"} ({fmt_span(a, b)})'
    if shown:
        return f"{head}: {_items_text(shown[:3])}."
    return f"{head} no text is read; the text read is {_items_text(read[:3])}."


# "Where is the watermark?", "Where is it?" after a question about the text: its place in the frame (the reader gave
# the likely place: "It looks like a bathroom.").
TEXT_WHERE = re.compile(r"^\W*(?:and\s+)?where\s+(?:on\s+the\s+(?:screen|frame|video)\s+)?(?:is|are|was|were|does|do)\s+"
                        r"(?P<what>it|they|that|this|the\s+(?:watermark|text|caption|captions|label|title|logo|writing|"
                        r"words|subtitles?|overlay))(?:\s+(?:shown|located|placed|positioned|written|displayed|appear|"
                        r"appears|show\s+up|on\s+(?:the\s+)?(?:screen|frame|video)))*\W*$", re.I)

# "Where on the screen?", "Which corner?", "Where exactly?" after a question or answer about the text
BARE_WHERE = re.compile(r"^\W*(?:and\s+)?(?:where|which\s+(?:corner|part|side))(?:\s+(?:on|in)\s+the\s+(?:screen|"
                        r"frame|video|picture|image))?(?:\s+exactly)?\W*$", re.I)


def _place_in_frame(item: TextItem) -> str:
    v = "top" if item.y < 1 / 3 else "bottom" if item.y > 2 / 3 else ""
    h = "left" if item.x < 1 / 3 else "right" if item.x > 2 / 3 else ""
    if v and h:
        return f"in the {v} {h} corner"
    if v:
        return f"at the {v} centre"
    return f"on the {h} side" if h else "in the middle"


def answer_text_where(question: str, context, history=()) -> str | None:
    """'The "clideo.com" watermark is in the bottom right corner of the frame.' for "Where is the watermark?", and
    for "Where is it?" after a question or answer about the text; None for other questions and while the text part
    runs."""
    m = TEXT_WHERE.search(question)
    text = context.part("text")
    if m is None and BARE_WHERE.search(question) is None or text is None:
        return None
    if m is None or m.group("what").lower() in ("it", "they", "that", "this"):
        last = [t["content"] for t in history if t.get("role") in ("user", "assistant")][-2:]
        if not any(TEXT_QUESTION.search(t) or WATERMARK.search(t) for t in last):
            return None                    # "Where is it?" about a thing: the reader's
    marks_asked = WATERMARK.search(question) or any(WATERMARK.search(t["content"]) for t in history[-2:])
    items = [i for i in text.items if i.kind == "watermark"] if marks_asked else []
    items = items or text.items
    if not items:
        return "No text is read on screen, so there is nothing to place."
    return " ".join(f'The "{i.text}" {"watermark" if i.kind == "watermark" else "text"} is {_place_in_frame(i)} of '
                    f"the frame." for i in items[:3])

