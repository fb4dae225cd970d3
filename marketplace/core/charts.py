"""Small server-rendered SVG bar charts that read well on a phone (no chart library)."""

from __future__ import annotations

from xml.sax.saxutils import escape


def bar_chart(
    labels: list[str],
    series: list[tuple[str, str, list[int]]],
    title: str,
    width: int = 340,
    height: int = 160,
) -> str:
    """Bars for each label, one per series (name, colour, values), side by side."""
    top = max([1] + [value for _name, _colour, values in series for value in values])
    pad, base = 4, height - 18
    slot = (width - 2 * pad) / max(len(labels), 1)
    bar = max(slot / max(len(series), 1) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" class="chart" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#999" stroke-width="1"/>',
    ]
    step = max(len(labels) // 6, 1)
    for n, label in enumerate(labels):
        x = pad + n * slot
        for k, (name, colour, values) in enumerate(series):
            h = round((base - 4) * max(values[n], 0) / top, 1)
            parts.append(
                f'<rect x="{x + k * (bar + 1):.1f}" y="{base - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(label)} {escape(name)}: '
                f"{values[n]}</title></rect>"
            )
        if len(labels) <= 7 or n % step == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 4}" font-size="10" fill="#555">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
