"""What is said: the audio track transcribed with Whisper (faster-whisper on CTranslate2, int8, on the CPU).

Voice activity detection stays on: without it Whisper writes words over music. Decoding is greedy at
temperature 0 with no fallback (bounded time, the same text every run), and segments Whisper itself is unsure of
are dropped (mean log-probability under -1, or a compression ratio over 2.4: the repetition loops it falls into
over noise). What cannot be heard is said in one line: no audio track, silence, no speech, an audio stream that
does not decode.
"""
from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np

from vlm.perception.base import Clip, PerceptionPart, PartUnavailable, Progress, fmt_span, fmt_time, register_part

SAMPLE_RATE = 16000
MIN_AVG_LOGPROB = -1.0      # Whisper's own threshold for a failed decode ...
NO_SPEECH_PROBABILITY = 0.5  # ... which drops a segment only where Whisper also finds no speech at least as likely
#                             (Whisper's rule, its bar 0.6): clear espeak sentences decoded at -1.02 to -1.15
#                             have 0.05-0.08 and were lost; a shout over applause (-1.25, 0.59) stays out
MAX_COMPRESSION_RATIO = 2.4  # above it the text repeats itself (a hallucination loop)
SILENCE_RMS = 1e-4          # RMS under which a track is silent
MIN_LANGUAGE_PROBABILITY = 0.5  # under it the "speech" is babble, applause or noise (measured: see detect_language)
MAX_TOKENS_PER_WINDOW = 160     # a 30 s window of fast speech is ~100 tokens; loops are cut off


# A question about what is said: "What does he say?", "When does the narrator start talking?"
SPEECH_QUESTION = re.compile(r"\b(?:say|says|said|saying|speak|speaks|spoke|spoken|speaking|talk|talks|talking|hear|"
                             r"heard|sing|sings|sung|shout|shouts|call|calls|mention|mentions|mentioned|voice|"
                             r"narrator|narrates)\b", re.I)
# A question about any sound or utterance, speech or not: an answer about speech is on its topic ("Is there
# music?" -> "No one speaks: there is sound, but no speech."; "What does somebody yell?"). Broad on purpose: a word
# too many only lets a reader answer through.
SOUND_QUESTION = re.compile(SPEECH_QUESTION.pattern + r"|\b(?:sound|sounds|audio|music|musical|noise|noises|noisy|"
                            r"listen|song|songs|word|words|language|quiet|silent|silence|loud|volume|applause|"
                            r"clap|claps|clapping|cheer|cheers|cheering|bark|barks|barking|laugh|laughs|laughing|"
                            r"scream|screams|screaming|cry|cries|crying|yell|yells|yelled|yelling|whisper|whispers|"
                            r"whispered|exclaim|exclaims|utter|utters|uttered|announce|announces|announced|chant|"
                            r"chants|shouted|shouting|tell|tells|told|ask|asks|asked|reply|replies|replied|answer|"
                            r"answers|explain|explains|discuss|discusses|conversation|dialogue|dialog|lyrics|quote|"
                            r"audible|pronounce|pronounces|greet|greets|called|calling)\b", re.I)
# The reader's sentences about speech: "Someone says ...", "Nothing is said", "Yes, something is said: an audio
# track." (its answer to "Is this a sport?").
SPEECH_CLAIM = re.compile(r"\b(?:someone|somebody|no ?one|nobody|nothing|something|anyone)\s+(?:says|said|speaks|"
                          r"spoke|talks|is\s+said|is\s+spoken|is\s+heard)\b|\bspeech\b|\baudio\b", re.I)


def answers_unasked_speech(answer: str, question: str) -> bool:
    """Whether the answer talks about speech or audio when the question asks about no sound at all."""
    return SPEECH_CLAIM.search(answer) is not None and SOUND_QUESTION.search(question) is None


@dataclass
class Said:
    start: float
    end: float
    text: str


@dataclass
class Transcript:
    segments: list[Said] = field(default_factory=list)
    language: str | None = None
    language_probability: float = 0.0
    note: str = ""              # why there is nothing, when there is nothing
    audio_seconds: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Transcript":
        return cls(**{**d, "segments": [Said(**s) for s in d.get("segments", [])]})

    def lines(self, max_segments: int | None = None) -> list[str]:
        if not self.segments:
            return [f"What is said: {self.note}."]
        segs = self.segments
        if max_segments is not None and len(segs) > max_segments:
            keep = np.unique(np.linspace(0, len(segs) - 1, max(max_segments, 1)).round().astype(int))
            segs = [segs[i] for i in keep]
        lang = LANGUAGES.get(self.language or "", self.language or "unknown language")
        said = " ".join(f'{fmt_span(s.start, s.end)} "{s.text}"' for s in segs)
        more = f" (and {len(self.segments) - len(segs)} more segments)" if len(segs) < len(self.segments) else ""
        warn = f" ({self.note})" if self.note else ""
        return [f"What is said (speech recognition, {lang}): {said}{more}{warn}"]


LANGUAGES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
             "nl": "Dutch", "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic",
             "hi": "Hindi", "tr": "Turkish", "pl": "Polish", "sv": "Swedish", "uk": "Ukrainian"}


class AudioError(Exception):
    """The audio track exists but cannot be decoded."""


def read_audio(path) -> tuple[np.ndarray | None, str]:
    """(mono float32 samples at 16 kHz, a note) or (None, the reason in a few words). A stream that breaks part
    way keeps what decoded before the break (over a second of it), with a note saying where it broke."""
    import av

    from vlm.video.io import _first_line

    codec, chunks, note = None, [], ""
    try:
        with av.open(str(path)) as c:
            if not c.streams.audio:
                return None, "no audio track"
            stream = c.streams.audio[0]
            codec = stream.codec_context.name
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in c.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except (av.FFmpegError, ValueError) as e:
        decoded = sum(len(x) for x in chunks) / SAMPLE_RATE
        what = f"the audio track ({codec})" if codec else "the audio track"
        if decoded < 1.0:
            return None, f"{what} could not be decoded ({_first_line(e)})"
        note = f"{what} breaks off at {fmt_time(decoded)} ({_first_line(e)}); heard up to there"
    if not chunks:
        return None, "an audio track with no samples"
    return np.concatenate(chunks).astype(np.float32), note


@lru_cache(maxsize=2)
def _whisper(model: str, threads: int):
    from faster_whisper import WhisperModel

    from vlm.weights import speech_model_dir

    return WhisperModel(str(speech_model_dir(model)), device="cpu", compute_type="int8", cpu_threads=threads)


_load_lock = threading.Lock()


VAD_PAD_SECONDS = 0.4  # faster-whisper's VadOptions().speech_pad_ms: each chunk starts this long before the voice


def speech_chunks(audio: np.ndarray, block_seconds: float = 120.0) -> list[tuple[int, int]]:
    """(start, end) samples of speech found by Silero VAD, run over 2-minute blocks: its memory grows with the
    input (a 10-minute track took ~120 MB at once), and chunks that meet at a block edge are joined."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    block, options = int(block_seconds * SAMPLE_RATE), VadOptions(speech_pad_ms=int(VAD_PAD_SECONDS * 1000))
    chunks: list[list[int]] = []
    for offset in range(0, len(audio), block):
        for c in get_speech_timestamps(audio[offset:offset + block], options):
            a, b = c["start"] + offset, c["end"] + offset
            if chunks and a - chunks[-1][1] < SAMPLE_RATE // 10:
                chunks[-1][1] = b
            else:
                chunks.append([a, b])
    return [(a, b) for a, b in chunks]


class SpeechClock:
    """The speech-only audio Whisper hears (the voice-activity chunks end to end, `gap_seconds` apart) and the
    map from its times back to the video's clock."""

    def __init__(self, chunks: list[tuple[int, int]], gap_seconds: float = 0.0, pad_seconds: float = 0.0):
        self.chunks, self.gap, self.pad = chunks, int(gap_seconds * SAMPLE_RATE), pad_seconds
        self.starts = np.array([a for a, _ in chunks], dtype=np.float64) / SAMPLE_RATE        # in the video
        lengths = np.array([b - a for a, b in chunks], dtype=np.float64) / SAMPLE_RATE
        self.a = np.concatenate([[0.0], np.cumsum(lengths + gap_seconds)[:-1]])              # in the speech audio
        self.b = self.a + lengths

    def assemble(self, audio: np.ndarray) -> np.ndarray:
        silence = np.zeros(self.gap, np.float32)
        return np.concatenate([piece for a, b in self.chunks for piece in (audio[a:b], silence)][:-1])

    def __call__(self, t: float, *, end: bool = False) -> float:
        a, b = self.a, self.b
        k = min(max(int(np.searchsorted(a, t, side="left" if end else "right")) - 1, 0), len(a) - 1)
        if not end and t > b[k] and k + 1 < len(a):  # a start in the silence after a chunk: the next chunk's
            k += 1
        t = min(max(t, a[k]), b[k])
        return float(self.starts[k] + t - a[k])

    def chunk(self, t: float) -> int:
        return min(max(int(np.searchsorted(self.a, t, side="right")) - 1, 0), len(self.a) - 1)

    def said(self, words) -> list[Said]:
        """One Said per run of words heard in one voice-activity chunk (a pause in the video splits a segment
        Whisper made across it), timed by the words themselves. Whisper starts a chunk's first word where the
        chunk starts, which is the VAD's padding (`pad_seconds`) before the voice: it starts after the padding
        (not for a chunk at 0 s, whose padding was cut)."""
        out: list[Said] = []
        last = None
        for w in words:
            k = self.chunk((w.start + w.end) / 2)  # the chunk the word is heard in; its edges are clamped to it
            start, end = (float(self.starts[k] + min(max(t, self.a[k]), self.b[k]) - self.a[k]) for t in (w.start, w.end))
            if self.starts[k] > 0:
                start = min(max(start, float(self.starts[k]) + self.pad), end)
            if out and k == last:
                out[-1].text += w.word
                out[-1].end = end
            else:
                out.append(Said(start, end, w.word))
            last = k
        return [Said(round(x.start, 2), round(x.end, 2), x.text.strip()) for x in out if x.text.strip()]

    def span(self, start: float, end: float) -> tuple[float, float]:
        """A segment's (start, end) on the video's clock, within the chunks it really overlaps (half the chunk,
        or 0.5 s): Whisper's boundaries drift a little into the neighbouring chunks."""
        overlap = np.minimum(self.b, end) - np.maximum(self.a, start)
        real = np.flatnonzero(overlap >= np.minimum(0.5, 0.5 * (self.b - self.a)))
        if len(real):
            start, end = max(start, float(self.a[real[0]])), min(end, float(self.b[real[-1]]))
        return self(start), self(end, end=True)


def heard(segment) -> bool:
    """Whether a Whisper segment is speech to keep: some text, not a failed decode that Whisper also finds likely
    to be no speech, not a repetition loop."""
    failed = segment.avg_logprob < MIN_AVG_LOGPROB and segment.no_speech_prob >= NO_SPEECH_PROBABILITY
    return bool(segment.text.strip()) and not failed and segment.compression_ratio <= MAX_COMPRESSION_RATIO


def detect_language(model, speech: np.ndarray, seconds: float = 10.0) -> tuple[str, float]:
    """Language of the first `seconds` of speech, from one short encoder pass: faster-whisper's own detection
    encodes a padded 30 s window, then transcription encodes it again; CTranslate2's encoder takes shorter
    inputs, so this costs ~0.14 s instead of ~0.57 s here. Shorter speech is repeated to fill the window: padded
    with silence instead, a 3 s English sentence read as Thai (0.72) or as English at 0.44, under the threshold
    (`eval.bench_qa_generated`: 12 spoken sentences, all English at 0.55-0.94 repeated); on the real clips the
    babble stays under it (0.15 and 0.30) and speech over it (0.55-1.0), as padded."""
    import ctranslate2

    n = int(seconds * SAMPLE_RATE)
    clip = np.tile(speech, -(-n // max(len(speech), 1)))[:n] if len(speech) else np.zeros(n, np.float32)
    features = model.feature_extractor(clip)[:, :int(seconds * 100)]                     # (n_mels, frames)
    encoded = model.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None])),
                                 to_cpu=False)
    token, probability = model.model.detect_language(encoded)[0][0]                   # ("<|en|>", 0.9)
    return token[2:-2], probability


@register_part
class SpeechPart(PerceptionPart):
    name = "speech"
    title = "What is said"
    version = 4
    requires = ("faster_whisper",)
    install = "faster-whisper"
    needs_frames = False

    def __init__(self, model: str = "whisper-base", threads: int = 2, language: str | None = None):
        self.model, self.threads, self.language = model, threads, language

    def settings(self) -> dict:
        return {"model": self.model, "language": self.language}

    def estimate_seconds(self, clip: Clip) -> float:
        return 0.1 * clip.info.duration + 0.5  # Whisper base int8 on 2 cores: ~0.1 s per second of speech

    def load(self):
        if self.missing():
            raise PartUnavailable(self.missing())
        with _load_lock:
            return _whisper(self.model, self.threads)

    def run(self, clip: Clip, progress: Progress) -> Transcript:
        audio, note = read_audio(clip.path)
        if audio is None:
            return Transcript(note=note)
        seconds = len(audio) / SAMPLE_RATE
        if seconds < 0.2 or float(np.sqrt(np.mean(audio ** 2))) < SILENCE_RMS:
            return Transcript(note="an audio track, but it is silent", audio_seconds=round(seconds, 2))
        chunks = speech_chunks(audio)
        if not chunks:  # music, noise: Whisper would only invent words
            return Transcript(note="an audio track, but no speech heard", audio_seconds=round(seconds, 2))
        model = self.load()
        to_video = SpeechClock(chunks, pad_seconds=VAD_PAD_SECONDS)
        speech = to_video.assemble(audio)  # Whisper hears the speech only, once
        language, probability = (self.language, 1.0) if self.language else detect_language(model, speech)
        if probability < MIN_LANGUAGE_PROBABILITY:
            return Transcript(note="an audio track, but no clear speech heard", audio_seconds=round(seconds, 2))
        segments, _ = model.transcribe(speech, language=language, vad_filter=False, beam_size=1, temperature=0.0,
                                       condition_on_previous_text=False, max_new_tokens=MAX_TOKENS_PER_WINDOW,
                                       word_timestamps=True)  # +0.1 s here; a segment's own times drift by seconds
        kept = []
        for seg in segments:
            progress(min(to_video(seg.end, end=True) / max(seconds, 1e-6), 1.0))
            if heard(seg):
                kept += to_video.said(seg.words) if seg.words else \
                    [Said(*(round(t, 2) for t in to_video.span(seg.start, seg.end)), seg.text.strip())]
        if not kept:
            return Transcript(note="an audio track, but no speech heard", audio_seconds=round(seconds, 2))
        return Transcript(kept, language, round(float(probability), 3), note, round(seconds, 2))

    def result_from_dict(self, d: dict) -> Transcript:
        return Transcript.from_dict(d)
