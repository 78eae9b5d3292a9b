"""The count of pixels whose contrast changes by 3:1 or more when a control takes the focus
(tests/browser/focus.py), worked out by Pillow's image operations: the same count as a loop
over every pixel, a ring too faint is not counted, and a ring just clear enough is."""

from __future__ import annotations

import math
import random

import pytest
from PIL import Image, ImageDraw

from .browser.focus import FocusChange, contrast, contrasting_pixels

WHITE = (255, 255, 255)


def one_by_one(before: Image.Image, after: Image.Image, ratio: float = 3.0) -> int:
    """The count as a loop over every pixel gives it (as focus.py once worked it out)."""
    a, b = before.convert("RGB").tobytes(), after.convert("RGB").tobytes()
    assert len(a) == len(b)
    changed = 0
    for i in range(0, len(a), 3):
        p, q = a[i : i + 3], b[i : i + 3]
        if p != q and contrast((p[0], p[1], p[2]), (q[0], q[1], q[2])) >= ratio:
            changed += 1
    return changed


def grey_against_white(above: bool) -> tuple[int, int, int]:
    """The lightest grey with a contrast of at least 3:1 against white, or the darkest below."""
    greys = [(v, v, v) for v in range(256)]
    clear = max(g for g in greys if contrast(g, WHITE) >= 3)
    return clear if above else (clear[0] + 1, clear[1] + 1, clear[2] + 1)


def ring(colour: tuple[int, int, int], size: tuple[int, int] = (120, 48)) -> Image.Image:
    """A white area with a 2 px ring of ``colour`` round a control, 8 px in."""
    image = Image.new("RGB", size, WHITE)
    ImageDraw.Draw(image).rectangle((8, 8, size[0] - 9, size[1] - 9), outline=colour, width=2)
    return image


def ring_pixels(size: tuple[int, int] = (120, 48)) -> int:
    w, h = size[0] - 16, size[1] - 16
    return w * h - (w - 4) * (h - 4)


def test_a_ring_clear_enough_is_counted_and_a_faint_one_is_not():
    clear, faint = grey_against_white(above=True), grey_against_white(above=False)
    assert contrast(clear, WHITE) >= 3 > contrast(faint, WHITE)
    unfocused = Image.new("RGB", (120, 48), WHITE)
    assert contrasting_pixels(unfocused, ring(clear)) == ring_pixels()
    assert contrasting_pixels(unfocused, ring(faint)) == 0
    assert contrasting_pixels(unfocused, unfocused.copy()) == 0
    perimeter = 2 * (104 + 32)
    seen = FocusChange("button", True, True, contrasting_pixels(unfocused, ring(faint)), perimeter)
    assert not seen.visible, "a ring of less than 3:1 is no focus ring"
    seen = FocusChange("button", True, True, contrasting_pixels(unfocused, ring(clear)), perimeter)
    assert seen.visible


def test_a_contrast_of_exactly_the_ratio_counts_and_a_hair_less_does_not():
    """Pixels right at the ratio, where 32-bit floats cannot tell, are counted as the loop
    counts them: at the ratio yes, a hair above it no."""
    p, q = (0, 0, 0), (118, 118, 118)
    exact = contrast(p, q)
    before, after = Image.new("RGB", (3, 2), p), Image.new("RGB", (3, 2), q)
    assert contrasting_pixels(before, after, exact) == 6 == one_by_one(before, after, exact)
    above = math.nextafter(exact, math.inf)
    assert contrasting_pixels(before, after, above) == 0 == one_by_one(before, after, above)


@pytest.mark.parametrize("seed", range(8))
def test_the_count_is_the_one_a_loop_over_every_pixel_gives(seed):
    rng = random.Random(seed)
    size = (rng.randint(1, 90), rng.randint(1, 90))
    colours = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(rng.randint(2, 10))]
    colours += [(0, 0, 0), WHITE, grey_against_white(True), grey_against_white(False)]
    before = Image.new("RGB", size)
    before.putdata([rng.choice(colours) for _ in range(size[0] * size[1])])
    after = before.copy()
    for _ in range(size[0] * size[1] // 3):
        after.putpixel((rng.randrange(size[0]), rng.randrange(size[1])), rng.choice(colours))
    for ratio in (1.5, 3.0, 4.5):
        assert contrasting_pixels(before, after, ratio) == one_by_one(before, after, ratio)
