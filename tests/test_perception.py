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
    speed, vec = flow_motion(a, b, dt=0.1)
    assert speed == pytest.approx(30, rel=0.25)  # 0.3 canvas widths per second = 30 % of the width per second
    assert direction_word(vec, speed) == direction


def test_still_scene_has_no_motion():
    a, b = render_frames(Scene(shapes=(Shape(direction="still"),), num_frames=2))
    speed, vec = flow_motion(a, b, dt=0.1)
    assert speed < 1 and direction_word(vec, speed) == "none"


def test_scene_cuts_between_different_shots():
    one = list(render_frames(Scene(shapes=(Shape("square", "red"),), background="sky", num_frames=3)))
    two = list(render_frames(Scene(shapes=(Shape("circle", "yellow"),), background="dark", num_frames=3)))
    frames = np.stack(one + two)
    assert scene_cuts(frames, np.arange(6) / 2.0) == [1.25]
    assert scene_cuts(np.stack(one), np.arange(3) / 2.0) == []


def test_dog_breeds_add_up_to_a_dog():
    probs = torch.zeros(1000)
    probs[151:160] = 0.06  # nine breeds at 6% each: no single one is sure, together 54%
    probs[500] = 0.1
    labels = top_labels(probs)
    assert labels[0][0] == "dog" and labels[0][1] == pytest.approx(0.54, abs=1e-3)
