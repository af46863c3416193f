"""A self-contained HTML page for an evaluation Report (no scripts, no network)."""
from __future__ import annotations

import html

from .evaluation import Report


def render_html(report: Report, title: str = "needswants evaluation") -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(label)}</td><td>{m['precision']:.3f}</td><td>{m['recall']:.3f}</td>"
        f"<td>{m['f1']:.3f}</td><td>{m['support']}</td></tr>"
        for label, m in report.per_label.items()
    )
    header = "".join(f"<th>{esc(label)}</th>" for label in report.labels)
    confusion = "".join(
        f"<tr><th>{esc(label)}</th>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
        for label, row in zip(report.labels, report.confusion)
    )
    bins = "".join(
        f"<tr><td>{b['low']:.1f}–{b['high']:.1f}</td><td>{b['count']}</td><td>{b['confidence']:.3f}</td>"
        f"<td>{b['accuracy']:.3f}</td></tr>" for b in report.reliability if b["count"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:right}}</style>
</head><body><h1>{esc(title)}</h1>
<p>{report.n} statements · macro-F1 <b>{report.macro_f1:.3f}</b> · accuracy {report.accuracy:.3f} ·
calibration error (ECE) {report.calibration_error:.3f}</p>
<h2>Per label</h2><table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>
<h2>Confusion matrix (rows gold, columns predicted)</h2><table><tr><th></th>{header}</tr>{confusion}</table>
<h2>Reliability</h2><table><tr><th>confidence bin</th><th>count</th><th>mean confidence</th><th>accuracy</th></tr>{bins}</table>
</body></html>
"""
