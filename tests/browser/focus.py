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
#: their ::before and ::after) with nothing focused and when focused, and whether it took the
#: focus. It does not scroll: :data:`SHOW` has put the control in view.
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
  control.focus({preventScroll: true});
  const after = styles();
  const own = control.getBoundingClientRect();
  return {
    name: control.id || control.getAttribute('href') || control.textContent.trim().slice(0, 40),
    changed: before.join() !== after.join(),
    perimeter: Math.round(2 * (own.width + own.height)),
    focused: document.activeElement === control,
  };
}"""

#: Leaves nothing focused, brings the control to the middle of the window (where a focus ring
#: around it is not cut off by the window's edge) and gives the area, in the window, that it
#: and its labels cover with room for a ring. A skip link shows only when focused: its area is
#: where it shows then.
SHOW = """control => {
  document.querySelector('main').focus({preventScroll: true});
  control.scrollIntoView({block: 'center', inline: 'nearest'});
  const box = control.getBoundingClientRect();
  const hidden = box.bottom <= 0 || box.right <= 0
                 || box.top >= innerHeight || box.left >= innerWidth;
  if (hidden) control.focus({preventScroll: true});
  const boxes = [control, ...(control.labels || [])].map(part => part.getBoundingClientRect());
  if (hidden) document.querySelector('main').focus({preventScroll: true});
  const x = Math.max(0, Math.floor(Math.min(...boxes.map(b => b.left)) - 8));
  const y = Math.max(0, Math.floor(Math.min(...boxes.map(b => b.top)) - 8));
  const right = Math.min(innerWidth, Math.ceil(Math.max(...boxes.map(b => b.right)) + 8));
  const bottom = Math.min(innerHeight, Math.ceil(Math.max(...boxes.map(b => b.bottom)) + 8));
  return {x, y, width: right - x, height: bottom - y};
}"""

#: What decides how a control looks when focused: the CSS that can reach it. Its tag, type,
#: classes and state, its labels' classes, and for it and each element around it the tag, the
#: classes, the background and whether it cuts off what overflows. Controls that share all of
#: this are drawn alike, and one of them stands for the others in the pixel count.
LOOK = """control => {
  const chain = [];
  for (let up = control; up && up !== document.body; up = up.parentElement) {
    const style = getComputedStyle(up);
    chain.push([up.tagName, up.className, up.getAttribute('type') || '',
                up.getAttribute('aria-current') || '', up.getAttribute('aria-expanded') || '',
                style.backgroundColor, style.overflowX + style.overflowY].join(':'));
  }
  const labels = [...(control.labels || [])].map(label => label.className).join(',');
  return chain.join('/') + '|' + labels;
}"""

#: Keeps the page still for the two pictures: no text caret, no transition or animation (a
#: ring that fades in would be caught half drawn). Added once to the page, as Playwright's own
#: ``caret="hide"`` and ``animations="disabled"`` would add it for every picture (each costs
#: round trips to the browser, and there are two pictures for each look of control).
STILL = """() => {
  if (!document.getElementById('focus-test-still')) {
    const style = document.createElement('style');
    style.id = 'focus-test-still';
    style.textContent = '*, *::before, *::after { caret-color: transparent !important;'
      + ' transition: none !important; animation: none !important; }';
    document.head.append(style);
  }
}"""

#: Leaves no element focused and scrolls nowhere: <main> takes the focus and shows no ring.
UNFOCUS = "() => document.querySelector('main').focus({preventScroll: true})"


#: Of a list of controls, the positions of those drawn on the page: with a box of their own
#: (on paper, a folding section's heading is drawn, but the control around it is not) and not
#: hidden, as Playwright's ``is_visible`` decides.
DRAWN = """controls => controls.flatMap((control, i) => {
  const box = control.getBoundingClientRect();
  const drawn = box.width > 0 && box.height > 0 && control.getClientRects().length
                && getComputedStyle(control).visibility !== 'hidden';
  return drawn ? [i] : [];
})"""


def controls(page: Page) -> list[Locator]:
    """Every control drawn on the page, in page order."""
    found = page.locator(CONTROLS)
    return [found.nth(i) for i in found.evaluate_all(DRAWN)]


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


#: What else decides how every control of a page is drawn: the window's width, the direction
#: and size of the text, and whether the system's forced colours are on.
PAGE_LOOK = """() => [innerWidth, document.documentElement.dir,
  getComputedStyle(document.documentElement).fontSize,
  matchMedia('(forced-colors: active)').matches].join(':')"""


def looks(page: Page, seen: frozenset[str] = frozenset()) -> list[tuple[str, Locator]]:
    """One drawn control of each look (:data:`LOOK` and :data:`PAGE_LOOK`) on the page, the
    first of each, with its look; none of a look in ``seen``."""
    found = page.locator(CONTROLS)
    drawn = found.evaluate_all(DRAWN)
    kinds = found.evaluate_all(f"controls => controls.map({LOOK})")
    whole = page.evaluate(PAGE_LOOK)
    first: dict[str, int] = {}
    for i in drawn:
        first.setdefault(f"{whole}|{kinds[i]}", i)
    return [(look, found.nth(i)) for look, i in first.items() if look not in seen]


@dataclass(frozen=True)
class FocusChange:
    """What a person sees change when a control takes the focus."""

    control: str
    focused: bool
    styles_changed: bool
    contrasting_pixels: int  # pixels that changed by at least 3:1 in contrast
    perimeter: int  # of the control's own box, in CSS pixels: a 1 px ring all round

    @property
    def visible_style(self) -> bool:
        """It took the focus, and its styles (or its label's) changed."""
        return self.focused and self.styles_changed

    @property
    def visible(self) -> bool:
        return self.visible_style and self.contrasting_pixels >= self.perimeter


def styles_on_focus(page: Page) -> list[FocusChange]:
    """Focus each drawn control in turn, and tell whether it took the focus and its styles
    changed; no pixels are counted (``contrasting_pixels`` is 0)."""
    found = page.locator(CONTROLS)
    drawn = set(found.evaluate_all(DRAWN))
    measured = found.evaluate_all(
        f"controls => controls.map(control => ({SHOW})(control) && ({MEASURE})(control))"
    )
    return [
        FocusChange(m["name"], m["focused"], m["changed"], 0, m["perimeter"])
        for i, m in enumerate(measured)
        if i in drawn
    ]


def focus_change(page: Page, control: Locator) -> FocusChange:
    """Show ``control`` unfocused, then focused, and count the pixels around it that change by
    3:1 or more in contrast between the two pictures."""
    area = control.evaluate(f"control => ({STILL})() || ({SHOW})(control)")
    before = page.screenshot(clip=area)
    found = control.evaluate(MEASURE)
    after = page.screenshot(clip=area)
    with Image.open(io.BytesIO(before)) as unfocused, Image.open(io.BytesIO(after)) as focused:
        changed = contrasting_pixels(unfocused, focused)
    return FocusChange(
        control=found["name"],
        focused=found["focused"],
        styles_changed=found["changed"],
        contrasting_pixels=changed,
        perimeter=found["perimeter"],
    )
