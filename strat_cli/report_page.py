"""The report as one self-contained HTML page: tables and inline SVG charts, nothing fetched.

A manager opens it from email, prints it, or pastes it into a board paper, often offline, so
the page carries its own styles and charts. Charts come from matplotlib (imported only here),
drawn in greys with hatching so they read in black and white, each with a title and a text
alternative for screen readers. Counts suppressed as small numbers are not drawn either.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .report import Report, Share, Table, cell_text, shown
from .safetext import HTML_FORBIDDEN
from .timeutil import format_uk, format_uk_day

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Fills that stay apart when printed in black and white.
_GREYS = ("#1a1a1a", "#5c5c5c", "#9a9a9a", "#cfcfcf", "#ffffff", "#ffffff", "#ededed")
_HATCHES = ("", "//", "", "..", "xx", "", "\\\\")

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#111;margin:2em auto;max-width:60em;
line-height:1.4;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #111}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}
th,td{border:1px solid #777;padding:.25em .5em;text-align:right;vertical-align:top}
th[scope=row],td:first-child,th:first-child{text-align:left}thead th{background:#e6e6e6}
caption{text-align:left;font-weight:bold;padding:.3em 0}
figure{margin:1em 0}.note{font-size:.9em;color:#333}
svg{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,figure{break-inside:avoid}}
"""


@dataclass
class Chart:
    title: str
    alt: str
    svg: str


def page(report: Report) -> str:
    """The whole HTML document."""
    r = report
    span = f"{format_uk_day(r.date_from)} to {format_uk_day(r.date_to)}"
    title = f"Strategy discussions, {span}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(title)}</h1>",
        "<p>"
        + _e(
            f"{r.included} discussion(s) held in the period"
            + (f", agenda {r.agenda}" if r.agenda else ", every agenda")
            + f". Made {format_uk(r.made_at)}. Every figure is a count with its "
            "denominator. No child, adult or professional is named."
        )
        + "</p>",
    ]
    if r.suppress_below:
        parts.append(
            f'<p class="note">Counts from 1 to {r.suppress_below - 1} are shown as '
            f"&lt;{r.suppress_below}, as published statistics do, and are not drawn.</p>"
        )
    parts.append(_left_out(r))
    charts = _charts(r)
    for t in r.tables:
        parts.append(f'<section id="{t.key}">')
        parts.append(f"<h2>{_e(t.title)}</h2>")
        chart = charts.get(t.key)
        if chart is not None:
            parts.append(f"<figure>{chart.svg}</figure>")  # its title and text are in the SVG
        parts.append(_table(t, r.suppress_below))
        if t.note:
            parts.append(f'<p class="note">{_e(t.note)}</p>')
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _e(text: str) -> str:
    """Text from a record as HTML: escaped, and without the control characters HTML forbids."""
    return html.escape(HTML_FORBIDDEN.sub("", text), quote=True)


def _left_out(r: Report) -> str:
    if not r.left_out:
        return "<p>No record in the period was left out.</p>"
    rows = "".join(
        f'<tr><th scope="row">{_e(x.ref)}</th><td>{_e(x.why)}</td></tr>' for x in r.left_out
    )
    return (
        '<section id="left-out"><h2>Records left out</h2>'
        f"<p>{len(r.left_out)} record(s) are not counted:</p>"
        "<table><caption>Records left out and why</caption>"
        '<thead><tr><th scope="col">Reference</th><th scope="col">Why</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _table(t: Table, below: int) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in t.columns)
    body = []
    for row in t.rows:
        cells = [cell_text(shown(v, below)) for v in row]
        first, rest = cells[0], cells[1:]
        body.append(
            f'<tr><th scope="row">{_e(first)}</th>'
            + "".join(f"<td>{_e(c)}</td>" for c in rest)
            + "</tr>"
        )
    if not body:
        body.append(f'<tr><td colspan="{len(t.columns)}">No records in the period.</td></tr>')
    return (
        f"<table><caption>{_e(t.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


# --- charts ------------------------------------------------------------------------------------


def _value(v: object, below: int) -> float:
    """What a chart draws for a cell: suppressed counts are drawn as nothing."""
    v = shown(v, below)  # type: ignore[arg-type]
    if isinstance(v, Share):
        return float(v.count)
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return 0.0


def _percent(v: object, below: int) -> float:
    v = shown(v, below)  # type: ignore[arg-type]
    return float(v.percent or 0) if isinstance(v, Share) else 0.0


def _charts(r: Report) -> dict[str, Chart]:
    tables = {t.key: t for t in r.tables}
    below = r.suppress_below
    out: dict[str, Chart] = {}
    volume = tables["volume"]
    if volume.rows:
        months = [str(row[0]) for row in volume.rows]
        counts = [_value(row[1], below) for row in volume.rows]
        out["volume"] = _bars(
            "Discussions held each month",
            months,
            {"Discussions": counts},
            "Number of discussions",
            alt="Bar chart of discussions held each month: "
            + ", ".join(
                f"{m}: {cell_text(shown(row[1], below))}"
                for m, row in zip(months, volume.rows, strict=True)
            ),
        )
    outcomes = tables["outcomes"]
    if outcomes.rows:
        total = outcomes.rows[-1]
        labels = outcomes.columns[2:]
        values = [_value(v, below) for v in total[2:]]
        out["outcomes"] = _bars(
            "Outcomes decided for each child, whole period",
            labels,
            {"Decisions": values},
            "Number of decisions",
            horizontal=True,
            alt="Bar chart of outcomes for the whole period: "
            + ", ".join(
                f"{lab}: {cell_text(shown(v, below))}"
                for lab, v in zip(labels, total[2:], strict=True)
            ),
        )
    out["timeliness"] = _stacked(
        "Timeliness: share on time, late and not done",
        tables["timeliness"],
        first_column=2,
        below=below,
    )
    icpc = tables["icpc"]
    bands = icpc.rows[:4]
    out["icpc"] = _bars(
        "Conferences by working days from the start of the s47 enquiry",
        [str(row[0]) for row in bands],
        {"Conferences": [_value(row[1], below) for row in bands]},
        "Number of conferences",
        alt="Bar chart of conferences by working days from the s47 start: "
        + ", ".join(f"{row[0]} days: {cell_text(shown(row[1], below))}" for row in bands),
    )
    out["partners"] = _stacked(
        "How each statutory partner took part (share of discussions)",
        tables["partners"],
        first_column=3,
        below=below,
    )
    actions = tables["actions"]
    if actions.rows:
        out["actions"] = _stacked(
            "Actions by agency: done on time, late, overdue, open",
            actions,
            first_column=2,
            below=below,
        )
    return out


def _figure(height: float) -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, readable by screen readers
            "svg.hashsalt": "strat",  # the same report gives the same page
            "font.family": "sans-serif",
            "font.size": 9,
            "hatch.linewidth": 0.6,
            "text.parse_math": False,  # an agency called "$$" is text, not a formula
        }
    )
    fig, ax = plt.subplots(figsize=(7.5, height))
    return fig, ax


def _svg(fig: Figure, title: str, alt: str) -> str:
    import io
    import warnings

    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with warnings.catch_warnings():  # a character the font lacks is drawn as a box, not said
        warnings.simplefilter("ignore")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    label = _e(f"{title}. {alt}")
    return re.sub(
        r"<svg\b",
        f'<svg role="img" aria-label="{label}"',
        text,
        count=1,
    ).replace(">", f"><title>{_e(title)}</title><desc>{_e(alt)}</desc>", 1)


def _bars(
    title: str,
    labels: list[str],
    series: dict[str, list[float]],
    axis: str,
    *,
    alt: str,
    horizontal: bool = False,
) -> Chart:
    from matplotlib.ticker import MaxNLocator

    fig, ax = _figure(max(2.0, 0.3 * len(labels) + 1) if horizontal else 2.4)
    values = next(iter(series.values()))
    positions = list(range(len(labels)))
    if horizontal:
        ax.barh(positions, values, height=0.6, color=_GREYS[1], edgecolor="black", hatch="//")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(axis)
    else:
        ax.bar(positions, values, width=0.6, color=_GREYS[1], edgecolor="black", hatch="//")
        ax.set_xlim(-0.7, max(len(labels), 3) - 0.3)  # a lone month is a bar, not a wall
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xticks(
            positions,
            labels,
            rotation=45 if len(labels) > 6 else 0,
            ha="right" if len(labels) > 6 else "center",
        )
        ax.set_ylabel(axis)
    ax.set_title(title)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return Chart(title, alt, _svg(fig, title, alt))


def _stacked(title: str, table: Table, *, first_column: int, below: int) -> Chart:
    """Each row a bar of 100%, split by the columns from `first_column` on."""
    rows = [row for row in table.rows if isinstance(row[1], int) and row[1] > 0]
    labels = [str(row[0]) for row in rows]
    parts = table.columns[first_column:]
    fig, ax = _figure(max(2.0, 0.4 * len(labels) + 1.4))
    left = [0.0] * len(rows)
    positions = list(range(len(rows)))
    for i, part in enumerate(parts):
        widths = [_percent(row[first_column + i], below) for row in rows]
        ax.barh(
            positions,
            widths,
            left=left,
            color=_GREYS[i % len(_GREYS)],
            hatch=_HATCHES[i % len(_HATCHES)],
            edgecolor="black",
            label=part,
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(positions, [HTML_FORBIDDEN.sub("", x) for x in labels])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Per cent")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, frameon=False)
    alt_rows = []
    for row in rows:
        shares = ", ".join(
            f"{part} {cell_text(shown(row[first_column + i], below))}"
            for i, part in enumerate(parts)
        )
        alt_rows.append(f"{row[0]}: {shares}")
    alt = "Stacked bar chart. " + ("; ".join(alt_rows) or "No records in the period.")
    return Chart(title, alt, _svg(fig, title, alt))
