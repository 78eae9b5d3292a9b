"""Finding the controls of a page and measuring what changes when one of them takes the focus."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageMath
from playwright.sync_api import Locator, Page

#: Everything a person can reach with the Tab key or click.
CONTROLS = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)

#: Focuses a control and tells what changed: its computed styles (and those of its label and
#: their ::before and ::after) with nothing focused and when focused, the area it and its label
#: cover in the window with room for a focus ring, where the page is scrolled to, and its box.
MEASURE = """control => {
  const props = ['outline-style', 'outline-width', 'outline-color', 'box-shadow',
    'background-color', 'color', 'border-top-width', 'border-top-color', 'border-left-width',
    'text-decoration-line', 'left'];
  const parts = [control, ...(control.labels || [])];
  const styles = () => parts.flatMap(part => [null, '::before', '::after'].map(pseudo => {
    const style = getComputedStyle(part, pseudo);
    return props.map(prop => style.getPropertyValue(prop)).join(' | ');
  }));
  document.querySelector('main').focus({preventScroll: true});
  const before = styles();
  control.focus();
  const after = styles();
  const boxes = parts.map(part => part.getBoundingClientRect());
  const x = Math.max(0, Math.floor(Math.min(...boxes.map(b => b.left)) - 8));
  const y = Math.max(0, Math.floor(Math.min(...boxes.map(b => b.top)) - 8));
  const right = Math.min(innerWidth, Math.ceil(Math.max(...boxes.map(b => b.right)) + 8));
  const bottom = Math.min(innerHeight, Math.ceil(Math.max(...boxes.map(b => b.bottom)) + 8));
  const own = control.getBoundingClientRect();
  return {
    name: control.id || control.getAttribute('href') || control.textContent.trim().slice(0, 40),
    changed: before.join() !== after.join(),
    area: {x, y, width: right - x, height: bottom - y},
    scroll: {x: Math.round(scrollX), y: Math.round(scrollY)},
    perimeter: Math.round(2 * (own.width + own.height)),
    focused: document.activeElement === control,
  };
}"""

#: Leaves no element focused and scrolls nowhere: <main> takes the focus and shows no ring.
UNFOCUS = "() => document.querySelector('main').focus({preventScroll: true})"


def controls(page: Page) -> list[Locator]:
    """Every control drawn on the page: visible, with a box of its own (on paper, a folding
    section's heading is drawn, but the control around it is not)."""
    found = page.locator(CONTROLS)
    return [
        found.nth(i)
        for i in range(found.count())
        if found.nth(i).is_visible() and found.nth(i).evaluate("c => c.getClientRects().length")
    ]


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


LINEAR = [_linear(c) for c in range(256)]


def luminance(pixel: tuple[int, int, int]) -> float:
    r, g, b = pixel
    return 0.2126 * LINEAR[r] + 0.7152 * LINEAR[g] + 0.0722 * LINEAR[b]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


#: How near ``ratio`` a contrast worked out in 32-bit floats may be and still be trusted: far
#: above their rounding (about 1e-7 here), far below any difference two colours make.
NEAR = 1e-5


def luminances(image: Image.Image) -> Image.Image:
    """The relative luminance of each pixel of an RGB image, as an image of 32-bit floats: each
    channel through the lookup table LINEAR, then weighted as :func:`luminance` weighs them."""
    r, g, b = (band.point(LINEAR, "F") for band in image.split())
    return ImageMath.lambda_eval(
        lambda m: 0.2126 * m["r"] + 0.7152 * m["g"] + 0.0722 * m["b"], r=r, g=g, b=b
    )


def count(mask: Image.Image) -> int:
    """How many pixels of an image of 0s and 1s are 1."""
    return mask.convert("L").histogram()[1]


def contrasting_pixels(before: Image.Image, after: Image.Image, ratio: float = 3.0) -> int:
    """How many pixels differ between two same-sized images by at least ``ratio`` (above 1) in
    contrast: the count a loop over every pixel calling :func:`contrast` gives, without one.

    Only the box around the pixels that changed (ImageChops.difference) is looked at. There,
    Pillow works out for every pixel at once, in 32-bit floats, the margin
    ``(lighter + 0.05) - ratio * (darker + 0.05)``: at least 0 where the contrast reaches
    ``ratio``, below 0 where it does not (an unchanged pixel's is below -0.1). The rare pixels
    whose margin is too near 0 for 32-bit rounding to tell are worked out again one by one, as
    :func:`contrast` does, in Python's own floats."""
    assert ratio > 1, "a pixel that did not change has a contrast of 1 with itself"
    a, b = before.convert("RGB"), after.convert("RGB")
    assert a.size == b.size, (a.size, b.size)
    changed = ImageChops.difference(a, b).getbbox()
    if changed is None:
        return 0
    a, b = a.crop(changed), b.crop(changed)
    margin = ImageMath.lambda_eval(
        lambda m: (m["max"](m["a"], m["b"]) + 0.05) - ratio * (m["min"](m["a"], m["b"]) + 0.05),
        a=luminances(a),
        b=luminances(b),
    )
    clear = count(ImageMath.lambda_eval(lambda m: m["g"] >= NEAR, g=margin))
    near = ImageMath.lambda_eval(lambda m: abs(m["g"]) < NEAR, g=margin).convert("L")
    box = near.getbbox()
    if box is None:
        return clear
    p, q, tight = rgb(a.crop(box)), rgb(b.crop(box)), near.crop(box).tobytes()
    return clear + sum(
        1 for x, y, flag in zip(p, q, tight, strict=True) if flag and contrast(x, y) >= ratio
    )


def rgb(image: Image.Image) -> Iterator[tuple[int, int, int]]:
    """The pixels of an RGB image, row by row."""
    data = image.tobytes()
    for i in range(0, len(data), 3):
        yield data[i], data[i + 1], data[i + 2]


def unfocused(page: Page) -> Image.Image:
    """The whole page with nothing focused.

    The clinicians' review page is long (over 70,000 px at 1280 px wide): Pillow's guard against
    decompression bombs is meant for images from strangers, not for our own browser's screenshot.
    """
    page.evaluate(UNFOCUS)
    shot = page.screenshot(full_page=True, animations="disabled")
    Image.MAX_IMAGE_PIXELS = None
    return Image.open(io.BytesIO(shot))


@dataclass(frozen=True)
class FocusChange:
    """What a person sees change when a control takes the focus."""

    control: str
    focused: bool
    styles_changed: bool
    contrasting_pixels: int  # pixels that changed by at least 3:1 in contrast
    perimeter: int  # of the control's own box, in CSS pixels: a 1 px ring all round

    @property
    def visible(self) -> bool:
        return self.focused and self.styles_changed and self.contrasting_pixels >= self.perimeter


def focus_change(page: Page, control: Locator, before: Image.Image) -> FocusChange:
    """Focus ``control`` and compare the area around it with ``before``, the page unfocused."""
    found = control.evaluate(MEASURE)
    area = found["area"]
    shot = page.screenshot(clip=area, animations="disabled", caret="hide")
    x, y = area["x"] + found["scroll"]["x"], area["y"] + found["scroll"]["y"]
    with Image.open(io.BytesIO(shot)) as after:
        region = before.crop((x, y, x + after.width, y + after.height))
        changed = contrasting_pixels(region, after)
    return FocusChange(
        control=found["name"],
        focused=found["focused"],
        styles_changed=found["changed"],
        contrasting_pixels=changed,
        perimeter=found["perimeter"],
    )
