import numpy as np
import pytest
import torch

from vlm.data.synthetic import Scene, Shape, render_frames
from vlm.perception import direction_word, flow_motion, scene_cuts, top_labels


@pytest.mark.parametrize("direction", ["left", "right", "up", "down"])
def test_flow_finds_the_direction_of_motion(direction):
    scene = Scene(shapes=(Shape("square", "red", 0.5, 0.5, direction, 0.3, size=0.3),), width=160, height=160,
                  fps=10, num_frames=2, noise=0)
    a, b = render_frames(scene)
    speed, vec, _, _ = flow_motion(a, b, dt=0.1)
    assert speed == pytest.approx(30, rel=0.25)  # 0.3 canvas widths per second = 30 % of the width per second
    assert direction_word(vec, speed) == direction


def test_last_frame_with_its_neighbour_before_it_moves_forward_in_time():
    """The last sampled frame's neighbour lies before it (next_dt < 0): same speed and direction as the others,
    not a speed divided by ~0 and a reversed direction."""
    from vlm.perception.vision import build_context
    from vlm.video.io import VideoInfo

    scene = Scene(shapes=(Shape("square", "red", 0.3, 0.5, "right", 0.3, size=0.2),), width=160, height=160,
                  fps=10, num_frames=4, noise=0)
    f = np.stack(list(render_frames(scene)))                           # (4, H, W, 3)
    frames, nxt = np.stack([f[0], f[3]]), np.stack([f[1], f[2]])        # the second frame's neighbour is before it
    info = VideoInfo("x.mp4", 4, 10.0, 160, 160, "h264")
    ctx = build_context(info, np.array([0.0, 0.3]), frames, nxt, np.array([0.1, -0.1]), torch.full((2, 1000), 1e-3),
                        num_segments=2)
    assert ctx.motion_curve[1] == pytest.approx(ctx.motion_curve[0], rel=0.25)
    assert [s.direction for s in ctx.segments] == ["right", "right"]


def test_still_scene_has_no_motion():
    a, b = render_frames(Scene(shapes=(Shape(direction="still"),), num_frames=2))
    speed, vec, camera, _ = flow_motion(a, b, dt=0.1)
    assert speed < 1 and camera < 1 and direction_word(vec, speed) == "none"


def test_a_shifting_picture_moves_the_camera_and_a_thing_crossing_a_still_one_does_not():
    import cv2

    rng = np.random.default_rng(0)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (160, 160, 3), dtype=np.uint8), (0, 0), 2)
    panned = np.roll(texture, 4, axis=1)                               # the whole picture 4 px right in 0.1 s
    speed, vec, camera, _ = flow_motion(texture, panned, dt=0.1)
    assert camera == pytest.approx(25, rel=0.25)                        # 4 px of 160 in 0.1 s = 25 % of the width/s
    crossed = texture.copy()
    crossed[60:100, 64:104] = texture[60:100, 60:100]                   # a patch moves 4 px, the rest stays
    speed, vec, camera, _ = flow_motion(texture, crossed, dt=0.1)
    assert camera < 2 and speed > 5


def test_where_the_camera_follows_a_thing_its_way_is_taken_against_the_background():
    import cv2

    rng = np.random.default_rng(0)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (160, 160, 3), dtype=np.uint8), (0, 0), 2)
    runner = cv2.GaussianBlur(rng.integers(0, 255, (40, 30, 3), dtype=np.uint8), (0, 0), 2)
    a, b = texture.copy(), np.roll(texture, -6, axis=1)   # a pan to the right: the background slides left ...
    a[60:100, 60:90] = runner
    b[60:100, 60:90] = runner                             # ... under a runner the camera keeps in the middle
    motion = flow_motion(a, b, dt=0.1)
    assert motion.camera > 20
    assert direction_word(motion.vec, motion.moving) == "right"   # the raw flow's fastest tenth: the background
    still = flow_motion(texture, texture, dt=0.1)
    assert still.camera < 1 and direction_word(still.vec, still.moving) == "none"


def test_scene_cuts_between_different_shots():
    one = list(render_frames(Scene(shapes=(Shape("square", "red"),), background="sky", num_frames=3)))
    two = list(render_frames(Scene(shapes=(Shape("circle", "yellow"),), background="dark", num_frames=3)))
    frames = np.stack(one + two)
    assert scene_cuts(frames, np.arange(6) / 2.0) == [1.25]
    assert scene_cuts(np.stack(one), np.arange(3) / 2.0) == []


def test_car_types_add_up_to_a_car_and_boats_to_a_boat():
    from vlm.weights import imagenet_class_names

    names, probs = imagenet_class_names(), torch.zeros(1000)
    for n in ("taxicab", "sports car", "minivan", "jeep", "station wagon"):
        probs[names.index(n)] = 0.05       # a car seen from above: five types at 5% each
    probs[names.index("mobile phone")] = 0.07
    assert top_labels(probs)[0] == ("car", 0.25)
    probs = torch.zeros(1000)
    probs[[names.index("motorboat"), names.index("gondola"), names.index("lakeshore")]] = torch.tensor([0.2, 0.15, 0.22])
    assert top_labels(probs)[0] == ("boat", 0.35)


def test_dog_breeds_add_up_to_a_dog():
    probs = torch.zeros(1000)
    probs[151:160] = 0.06  # nine breeds at 6% each: no single one is sure, together 54%
    probs[500] = 0.1
    labels = top_labels(probs)
    assert labels[0][0] == "dog" and labels[0][1] == pytest.approx(0.54, abs=1e-3)


# --- the parts' logic, without their models ---------------------------------------------------------------------

from vlm.perception import Clip, PartUnavailable, PerceptionPart, Perceiver, PerceptionSettings  # noqa: E402
from vlm.perception.context import PartState, PerceptionContext  # noqa: E402
from vlm.perception.ocr import ScreenText, group_readings, spaced, watermark_name  # noqa: E402
from vlm.perception.people import L_HIP, L_SHOULDER, NOSE, R_HIP, R_SHOULDER, posture  # noqa: E402
from vlm.perception.speech import Said, SpeechClock, Transcript  # noqa: E402
from vlm.perception.vision import Segment  # noqa: E402
from vlm.video import probe  # noqa: E402


def test_watermarks_are_recognised_through_misreadings():
    assert watermark_name("shutterstsck") == "shutterstock"
    assert watermark_name("clideo.com") == "clideo.com"
    assert watermark_name("mysite.net") == "mysite.net"
    assert watermark_name("FINAL SCORE 54 - 48") is None


@pytest.mark.parametrize("read, expected", [("Grand OpeningTonight", "Grand Opening Tonight"),
                                             ("BotanicalGardenWalk", "Botanical Garden Walk"),
                                             ("PlayStation 5", "PlayStation 5"),        # a word as a whole
                                             ("McDonald", "McDonald"),                  # "Mc" is no word
                                             ("NiintSkyy", "NiintSkyy"),                # misread: left as read
                                             ("SALE 50% OFF", "SALE 50% OFF")])
def test_words_run_together_at_a_capital_are_put_apart_only_when_each_is_a_word(read, expected):
    assert spaced(read) == expected


def test_text_readings_group_into_items_with_spans_and_kinds():
    box = lambda y: (0.5, y, 0.4, 0.05)  # noqa: E731
    frames = []
    for t in [1.0, 3.0, 5.0, 7.0, 9.0]:
        found = [("shutterstock", 0.93, (0.5, 0.5, 0.3, 0.06)), ("Keep laundry pacs", 0.9, box(0.80)),
                 ("away from children.", 0.95, box(0.86))]
        if 3 <= t <= 7:
            found.append(("FINAL SCORE 54 - 48", 0.98, (0.5, 0.1, 0.4, 0.05)))
        frames.append((t, found))
    items = group_readings(frames, duration=10.0)
    kinds = {i.text: i.kind for i in items}
    assert kinds == {"shutterstock": "watermark", "Keep laundry pacs away from children.": "overlay",
                     "FINAL SCORE 54 - 48": "text"}
    score = next(i for i in items if i.text.startswith("FINAL"))
    assert (score.start, score.end) == (3.0, 7.0)
    lines = ScreenText(items, 5).lines()
    assert '"FINAL SCORE 54 - 48" 0:03-0:07' in lines[0] and "shown throughout" in lines[0]
    assert lines[1].startswith('Watermark: "shutterstock"')


@pytest.mark.parametrize("question, about_text", [("What word appears across the video?", True),
                                                  ("What does the caption say?", True),
                                                  ("Which text is shown on screen?", True),
                                                  ("and what is written on it?", True),
                                                  ("What words are spoken in the video?", False),
                                                  ("What words does he say?", False),
                                                  ("Is there any text on screen?", False),   # yes/no: the reader
                                                  ("When is the caption shown?", False),     # when: its own route
                                                  ("What is the man holding?", False)])
def test_questions_about_what_is_written_are_told_from_speech_and_yes_no(question, about_text):
    from vlm.perception.ocr import asks_about_text

    assert asks_about_text(question) is about_text


def test_only_a_watermark_answers_what_is_written_and_real_text_is_left_to_the_reader():
    from vlm.perception.ocr import TextItem, answer_written
    from vlm.video.io import VideoInfo

    def ctx(*items):
        state = PartState("text", "What is written")
        state.finish("done", ScreenText(list(items), 4))
        return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0, 4.0], [], [], [], [2.0] * 2,
                                 {"text": state})

    mark = TextItem("shutterstock", 0.5, 9.5, "watermark", 0.95)
    answer = answer_written("What word appears across the video?", ctx(mark))
    assert answer == 'No text is written in the scene; there is only a "shutterstock" watermark.'
    assert answer_written("What word appears across the video?", ctx(mark, TextItem("SALE", 2, 4, "text", 0.9))) \
        is None                                                                 # text to quote: the reader does
    assert answer_written("What word appears across the video?", ctx()) is None  # nothing: the reader says so
    assert answer_written("What is the dog doing?", ctx(mark)) is None
    for question in ("Is there any writing on the video?", "Is there a watermark?", "Does the video show any text?"):
        assert answer_written(question, ctx(mark)) == ('Yes, only a "shutterstock" watermark; no other text is '
                                                       'written in the scene.')   # the reader said "No. No text ..."
    assert answer_written("Is there a watermark?", ctx()) is None                 # nothing: the reader says no
    assert answer_written("Is the man writing?", ctx(mark)) is None
    pending = PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], [], [], [2.0],
                                {"text": PartState("text", "What is written")})
    assert answer_written("What does the caption say?", pending) is None       # not read yet


def _text_ctx(*items):
    from vlm.video.io import VideoInfo

    state = PartState("text", "What is written")
    state.finish("done", ScreenText(list(items), 4))
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0, 4.0], [], [], [], [2.0] * 2,
                             {"text": state})


def test_the_text_read_first_last_or_at_the_end_and_how_many_items():
    from vlm.perception.ocr import TextItem, answer_text_at, answer_text_count

    mark = TextItem("shutterstock", 0.5, 9.5, "watermark", 0.95)
    sale, close = TextItem("SALE", 1.0, 2.0, "text", 0.9), TextItem("CLOSED", 9.0, 10.0, "text", 0.9)
    ctx = _text_ctx(mark, sale, close)                                            # a 10 s clip
    assert answer_text_at("What is the first caption?", ctx) == 'The first text read is "SALE" (0:01-0:02).'
    assert answer_text_at("What text appears at the end?", ctx) == 'At the end (0:08-0:10): "CLOSED" (0:09-0:10).'
    assert answer_text_at("What text appears at the end?", _text_ctx(sale)) == \
        'At the end (0:08-0:10) no text is read; the text read is "SALE" (0:01-0:02).'
    assert answer_text_at("What does the caption say?", ctx) is None               # no point: the reader quotes
    assert answer_text_at("What text appears at the end?", _text_ctx(mark)) is None   # nothing read: the reader
    assert answer_text_count("How many captions are there?", ctx) == \
        'Two: "SALE" (0:01-0:02); "CLOSED" (0:09-0:10).'                          # the watermark is not one
    assert answer_text_count("How many different texts appear?", _text_ctx(mark)) == \
        "None: no text is read on screen."
    assert answer_text_count("How many people are there?", ctx) is None


def test_posture_from_landmarks():
    lm = np.zeros((33, 3), np.float32)
    lm[:, 2] = 1.0
    lm[[L_SHOULDER, R_SHOULDER], :2] = [[0.45, 0.3], [0.55, 0.3]]
    lm[[L_HIP, R_HIP], :2] = [[0.46, 0.6], [0.54, 0.6]]
    assert posture(lm) == "upright"
    lm[:, 1] = 1 - lm[:, 1]  # mirrored vertically: shoulders below the hips
    assert posture(lm) == "upside down"
    lm[:, [0, 1]] = lm[:, [1, 0]]  # the torso lies along the x axis
    assert posture(lm) == "lying down"
    assert NOSE == 0


def test_times_in_the_speech_only_audio_map_back_to_the_video():
    clock = SpeechClock([(16000, 48000), (96000, 128000)], gap_seconds=0.5)  # speech at 1-3 s and 6-8 s
    assert len(clock.assemble(np.ones(160000, np.float32))) == 16000 * 4 + 8000
    assert clock(0.0) == 1.0 and clock(1.5) == 2.5
    assert clock(2.5) == 6.0 and clock(4.0) == 7.5          # the second chunk starts 2.5 s into the speech audio
    assert clock(2.2) == 6.0 and clock(2.2, end=True) == 3.0  # inside the silence between them
    assert clock.span(2.5, 4.5) == (6.0, 8.0)
    assert clock.span(1.7, 4.5) == (6.0, 8.0)               # Whisper's start drifted into the chunk before
    assert clock.span(0.5, 2.7) == (1.5, 3.0)               # and its end into the chunk after
    from types import SimpleNamespace as W

    words = [W(start=0.1, end=0.9, word=" Hello"), W(start=0.9, end=1.9, word=" there."),
             W(start=2.6, end=3.5, word=" Bye.")]
    assert clock.said(words) == [Said(1.1, 2.9, "Hello there."), Said(6.1, 7.0, "Bye.")]  # split at the pause


def test_a_chunks_first_word_starts_after_the_vad_padding_not_at_the_chunk_start():
    from types import SimpleNamespace as W

    clock = SpeechClock([(0, 32000), (96000, 144000)], pad_seconds=0.4)  # chunks at 0-2 s and 6-9 s
    words = [W(start=0.0, end=0.9, word=" Hi."), W(start=2.0, end=2.8, word=" Good"), W(start=2.8, end=3.5,
                                                                                       word=" morning.")]
    first, second = clock.said(words)
    assert first.start == 0.0                     # a chunk at 0 s had its padding cut: the voice may start at once
    assert (second.start, second.end) == (6.4, 7.5)   # Whisper said 6.0: the chunk's start, 0.4 s before the voice
    assert SpeechClock([(96000, 100000)], pad_seconds=0.4).said([W(start=0.0, end=0.1, word=" Oh")])[0].start == 6.1


def test_transcript_lines_say_what_was_heard_or_why_not():
    t = Transcript([Said(0.5, 2.0, "Hello there."), Said(61, 63.4, "Goodbye.")], "en", 0.97)
    assert t.lines() == ['What is said (speech recognition, English): 0:00-0:02 "Hello there." 1:01-1:03 "Goodbye."']
    assert Transcript(note="no audio track").lines() == ["What is said: no audio track."]
    assert Transcript.from_dict(t.to_dict()) == t


def _context(clip_path, parts=None):
    info = probe(clip_path)
    return PerceptionContext(info, [0.5, 1.5], [Segment(0, info.duration, [("thing", 0.5)], 10.0, "right")],
                             parts=parts or {})


class _Counting(PerceptionPart):
    """A part whose result is a transcript of how often it ran; `seconds` makes it slow."""
    name, title, version = "speech", "What is said", 1

    def __init__(self, seconds: float = 0.0, fail: bool = False):
        self.runs, self.seconds, self.fail = 0, seconds, fail

    def estimate_seconds(self, clip):
        return self.seconds

    def run(self, clip, progress):
        import time

        self.runs += 1
        if self.fail:
            raise RuntimeError("decoder exploded")
        time.sleep(self.seconds)
        progress(1.0)
        return Transcript([Said(0, 1, f"run {self.runs}")], "en", 1.0)

    def result_from_dict(self, d):
        return Transcript.from_dict(d)


def test_results_are_cached_by_file_content(clip_path, tmp_path):
    part = _Counting()
    perceiver = Perceiver(PerceptionSettings(parts=("speech",)), parts={"speech": part})
    copy = tmp_path / "same_bytes_other_name.mp4"
    copy.write_bytes(clip_path.read_bytes())
    first = perceiver.perceive(Clip(clip_path, probe(clip_path)), _context(clip_path), torch.full((1000,), 1e-3))
    again = perceiver.perceive(Clip(copy, probe(copy)), _context(copy), torch.full((1000,), 1e-3))
    assert part.runs == 1 and again.parts["speech"].cached
    assert again.part("speech").text == first.part("speech").text == "run 1"


def test_a_failing_or_missing_part_is_one_line_and_the_video_still_works(clip_path):
    class Missing(_Counting):
        name, requires, install = "text", ("no_such_module_here",), "no-such-package"

    perceiver = Perceiver(PerceptionSettings(parts=("speech", "text"), use_cache=False),
                          parts={"speech": _Counting(fail=True), "text": Missing()})
    ctx = perceiver.perceive(Clip(clip_path, probe(clip_path)), _context(clip_path), torch.full((1000,), 1e-3))
    text = ctx.to_text()
    assert "What is said: could not be worked out (RuntimeError: decoder exploded)." in text
    assert "unavailable, the package 'no-such-package' is not installed (pip install no-such-package)" in text
    assert "thing (50%)" in text  # the vision facts are all there


def test_slow_parts_run_in_the_background_and_land_later(clip_path):
    part = _Counting(seconds=0.5)
    perceiver = Perceiver(PerceptionSettings(parts=("speech",), background_after_s=0.1, use_cache=False,
                                             activity=False), parts={"speech": part})
    ctx = perceiver.perceive(Clip(clip_path, probe(clip_path)), _context(clip_path), torch.full((1000,), 1e-3))
    assert ctx.pending == ["speech"] and "not known yet, still being worked out in the background" in ctx.to_text()
    assert ctx.wait(10) and ctx.pending == []
    assert '"run 1"' in ctx.to_text()


def test_context_shrinks_to_its_token_budget(clip_path):
    said = Transcript([Said(i, i + 1, f"sentence number {i} of a long talk") for i in range(200)], "en", 1.0)
    state = PartState("speech", "What is said")
    state.finish("done", said)
    ctx = _context(clip_path, {"speech": state})
    ctx.segments = ctx.segments * 8
    full = ctx._render(None, None, None)
    ctx.max_tokens = 300
    short = ctx.to_text()
    assert len(full) // 4 > 300 >= len(short) // 4
    assert "more segments" in short and short.startswith("Video:")


def test_part_unavailable_names_the_package():
    class Gone(PerceptionPart):
        name, title, requires, install = "gone", "Gone part", ("no_such_module_here",), "gone-pkg"

    assert Gone().missing() == ("Gone part: unavailable, the package 'gone-pkg' is not installed "
                                "(pip install gone-pkg)")
    assert issubclass(PartUnavailable, RuntimeError)


def test_hands_that_move_while_the_body_stays_are_gesturing():
    from vlm.perception.people import FramePeople, People, Person

    def frame(t, wrist, shoulders=(0.5, 0.3), posture="upright"):
        return FramePeople(t, [Person(posture, 0, False, (0.3, 0.1, 0.7, 0.9), wrists=(wrist, None),
                                      shoulders=shoulders, scale=0.2)])

    still = People([frame(t, (0.4, 0.6)) for t in (0.0, 1.0, 2.0, 3.0)])
    assert still.gesturing == 0 and "gesturing" not in still.lines()[0]
    signing = People([frame(0.0, (0.4, 0.6)), frame(1.0, (0.5, 0.35)), frame(2.0, (0.5, 0.36)),
                      frame(3.0, (0.5, 0.36))])  # the wrist moves 0.27 = 1.35 body scales, then rests
    assert signing.gesturing_times() == [0.0, 1.0] and signing.gesturing == 0.5
    assert "hands moving (gesturing) at 0:00-0:01" in signing.lines()[0]
    walking = People([frame(t, (0.4 + 0.3 * t, 0.6), shoulders=(0.5 + 0.3 * t, 0.3)) for t in (0.0, 1.0)])
    assert walking.gesturing == 0          # the hands travel with the body
    upside = People([frame(0.0, (0.4, 0.6), posture="upside down"), frame(1.0, (0.5, 0.35), posture="upside down")])
    assert upside.gesturing == 0
    assert People.from_dict(signing.to_dict()) == signing


def test_hands_alone_are_someone_in_a_close_up():
    from vlm.perception.people import FramePeople, People, Person

    close_up = People([FramePeople(0.0, hands=1), FramePeople(3.0), FramePeople(6.0, hands=2)])
    assert close_up.max_people == 1
    assert close_up.lines() == ["People (pose and face detection): one person in most analysed frames "
                                "(1 at 0:00, 0 at 0:03, 1 at 0:06); only hands seen (a close-up: no face or "
                                "body in view)."]
    body = People([FramePeople(0.0, [Person("upright", 0, False, (0.3, 0.1, 0.7, 0.9))], hands=1)])
    assert body.lines() == ["People (pose and face detection): one person; upright; hands visible."]
    assert People([FramePeople(0.0), FramePeople(1.0)]).lines() == ["People: nobody seen."]


def test_synonymous_activities_pool_their_confidence_and_take_one_place():
    from vlm.perception.activity import ActivityScorer

    scorer = ActivityScorer(vocabulary=["riding unicycle", "riding a bike", "biking", "swimming"], top=2,
                            temperature=1.0)
    scorer.__dict__["_synonyms"] = torch.tensor([[1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1.0]])
    scorer.scores = lambda probs, **cues: torch.tensor([0.4, 0.3, 0.25, 0.05]).log()
    assert scorer.likely(torch.zeros(1000)) == [("riding a bike", 0.55), ("riding unicycle", 0.4)]
    scorer.scores = lambda probs, **cues: torch.tensor([0.4, 0.25, 0.3, 0.05]).log()
    assert scorer.likely(torch.zeros(1000))[0] == ("biking", 0.55)   # the meaning's likeliest name says it
    scorer.__dict__["_synonyms"] = torch.eye(4)          # no synonyms: the plain softmax order
    assert scorer.likely(torch.zeros(1000)) == [("riding unicycle", 0.4), ("biking", 0.3)]


@pytest.mark.parametrize("text, logprob, no_speech, ratio, kept", [
    (" Grandfather repaired the wooden canoe.", -1.02, 0.05, 0.85, True),   # unsure words, but surely speech
    (" Weeeeee!", -1.25, 0.59, 0.67, False),                                # a shout over applause
    (" Hello there.", -0.3, 0.9, 0.9, True),                                # a confident decode
    (" the the the the the the the the", -0.5, 0.1, 3.1, False),            # a repetition loop
    ("  ", -0.2, 0.1, 0.0, False)])
def test_which_whisper_segments_count_as_speech(text, logprob, no_speech, ratio, kept):
    from types import SimpleNamespace

    from vlm.perception.speech import heard

    seg = SimpleNamespace(text=text, avg_logprob=logprob, no_speech_prob=no_speech, compression_ratio=ratio)
    assert heard(seg) is kept


def test_where_the_text_is_in_the_frame():
    from vlm.perception.ocr import TextItem, answer_text_where
    from vlm.video.io import VideoInfo

    state = PartState("text", "What is written")
    state.finish("done", ScreenText([TextItem("clideo.com", 0.0, 9.0, "watermark", 0.9, x=0.85, y=0.9),
                                     TextItem("SALE", 1.0, 2.0, "text", 0.9, x=0.5, y=0.1)], 4))
    ctx = PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0, 4.0], [], [], [], [2.0] * 2,
                            {"text": state})
    assert answer_text_where("Where is the watermark?", ctx) == \
        'The "clideo.com" watermark is in the bottom right corner of the frame.'
    after = [{"role": "user", "content": "Is there a watermark?"}, {"role": "assistant", "content": "Yes."}]
    assert answer_text_where("Where is it?", ctx, after).startswith('The "clideo.com" watermark is in the bottom')
    assert answer_text_where("Where is the text?", ctx).endswith('The "SALE" text is at the top centre of the frame.')
    about_a_thing = [{"role": "user", "content": "What vegetable is it?"}, {"role": "assistant", "content": "A pepper."}]
    assert answer_text_where("Where is it?", ctx, about_a_thing) is None       # a thing: the reader's
    assert answer_text_where("Where is the man?", ctx) is None
    for bare in ("Where on the screen?", "Which corner?", "And where exactly?"):   # after the text: about it
        assert answer_text_where(bare, ctx, after).startswith('The "clideo.com" watermark is in the bottom')
        assert answer_text_where(bare, ctx, about_a_thing) is None
