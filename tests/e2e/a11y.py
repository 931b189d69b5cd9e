"""Accessibility checks axe-core does not make: one accessible name per form field, where the focus is,
and the contrast of focus rings and of text in faded rows (computed in the page, from the styles the
browser applied)."""

# Each visible form field's name sources: its <label>s, aria-label and aria-labelledby. Exactly one is
# the rule: none leaves the field nameless, two make screen readers read one and hide the other (or read a
# name that differs from the visible label), and two <label>s usually mean duplicate ids.
_NAMES = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter(el => el.type !== "hidden" && !el.hidden && !el.closest("[hidden], [aria-hidden=true], .d-none")
                && el.getClientRects().length > 0)
  .map(el => {
    const labels = el.labels ? [...el.labels] : [];
    const sources = labels.length + (el.hasAttribute("aria-label") ? 1 : 0)
                    + (el.hasAttribute("aria-labelledby") ? 1 : 0);
    const text = labels.map(l => l.textContent.trim()).join(" | ") || el.getAttribute("aria-label") || "";
    const sameId = el.id ? document.querySelectorAll(`[id="${CSS.escape(el.id)}"]`).length : 1;
    return {field: el.name || el.id, sources, text, sameId};
  })
  .filter(f => f.sources !== 1 || !f.text || f.sameId !== 1)"""


def fields_without_exactly_one_name(page) -> list[dict]:
    """Visible form fields with no name, more than one name source, or an id used twice."""
    return page.evaluate(_NAMES)


def focused_element_id(page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.id : ''")


# WCAG relative luminance and contrast ratio; colours composited over what is behind them.
_CONTRAST = """
const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
  const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
const lum = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const backgroundOf = (el) => { let c = [255, 255, 255, 1]; const chain = [];
  for (let e = el; e; e = e.parentElement) chain.unshift(e);
  for (const e of chain) { const b = parse(getComputedStyle(e).backgroundColor); if (b && b[3] > 0) c = over(b, c); }
  return c; };
const opacityOf = (el) => { let o = 1;
  for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; };
"""

_TEXT_CONTRAST = _CONTRAST + """
return (selector) => [...document.querySelectorAll(selector)].filter(el => el.getClientRects().length).map(el => {
  const bg = backgroundOf(el.parentElement);
  const fg = parse(getComputedStyle(el).color); fg[3] *= opacityOf(el);
  return {text: el.textContent.trim().slice(0, 40), ratio: Math.round(ratio(over(fg, bg), bg) * 100) / 100};
});"""


def text_contrasts(page, selector: str) -> list[dict]:
    """Contrast ratio of the text of every visible element matching `selector` against its background."""
    return page.evaluate(f"(selector) => (() => {{ {_TEXT_CONTRAST} }})()(selector)", selector)


_FOCUS_CONTRAST = _CONTRAST + """
return () => { const el = document.activeElement; const style = getComputedStyle(el);
  const bg = backgroundOf(el.parentElement);
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
    const ring = parse(style.outlineColor); ring[3] *= opacityOf(el);
    return {what: "outline", ratio: ratio(over(ring, bg), bg)}; }
  const shadow = style.boxShadow.match(/rgba?\\([^)]+\\)/);
  if (shadow) { const ring = parse(shadow[0]); return {what: "box-shadow", ratio: ratio(over(ring, bg), bg)}; }
  return {what: "none", ratio: 1}; };"""


def focus_indicator_contrast(page) -> dict:
    """The focused element's focus ring (outline, else box-shadow) against the background behind it."""
    return page.evaluate(f"() => (() => {{ {_FOCUS_CONTRAST} }})()()")
