"""Finding the controls of a page and measuring what changes when one of them takes the focus."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image
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


def contrasting_pixels(before: Image.Image, after: Image.Image, ratio: float = 3.0) -> int:
    """How many pixels differ between two same-sized images by at least ``ratio`` in contrast."""
    a, b = before.convert("RGB").tobytes(), after.convert("RGB").tobytes()
    assert len(a) == len(b)
    changed = 0
    for i in range(0, len(a), 3):
        p, q = a[i : i + 3], b[i : i + 3]
        if p != q and contrast((p[0], p[1], p[2]), (q[0], q[1], q[2])) >= ratio:
            changed += 1
    return changed


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
