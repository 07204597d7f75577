"""The stats as a person reads them: numbers in tables, distributions and spend drawn with plotext."""

from __future__ import annotations

from scenetui.domain.units import usd as usd_text
from scenetui.ops.stats import Stats

STAGES = (("queued", "waiting for a slot"), ("generating", "generating"), ("downloading", "downloading"),
          ("total", "scene, start to end"))


def _plot(kind: str, labels: list[str], values: list[float], title: str, width: int, height: int) -> str:
    import plotext as plt

    plt.clear_figure()
    plt.theme("clear")
    plt.plotsize(width, height)
    if kind == "hist":
        plt.hist(values, bins=min(20, max(3, len(values) // 2)))
    else:
        plt.bar(labels, values, orientation="horizontal", width=0.4)
    plt.title(title)
    return plt.uncolorize(plt.build())


def render_text(stats: Stats, *, width: int = 80, plots: bool = True) -> str:
    """The whole report as text (plots only when there is something to draw)."""
    out: list[str] = []
    scripts = ", ".join(stats.scripts) or "—"
    out.append(f"Scripts: {scripts}   runs: {stats.runs}   attempts: {stats.attempts}   retries: {stats.retries}")
    out.append("")
    out.append(f"{'seconds':<22}{'count':>6}{'median':>9}{'p90':>9}{'max':>9}{'mean':>9}")
    for key, label in STAGES:
        d = stats.distribution(key)
        if d:
            out.append(f"{label:<22}{d['count']:>6}{d['median']:>9.1f}{d['p90']:>9.1f}{d['max']:>9.1f}{d['mean']:>9.1f}")
        else:
            out.append(f"{label:<22}{0:>6}{'—':>9}{'—':>9}{'—':>9}{'—':>9}")
    generating = [t.generating for t in stats.timings if t.generating is not None]
    if plots and len(generating) >= 3:
        out += ["", _plot("hist", [], generating, "generation time (s): how many scenes took how long",
                          min(width, 100), 14)]
    out.append("")
    if stats.failures:
        out.append("Failures by reason:")
        for reason, n in stats.failures.most_common(10):
            out.append(f"  {n:>4}  {reason}")
    else:
        out.append("Failures: none")
    out.append("")
    total = sum(stats.spend_by_script.values())
    out.append(f"Spend: {usd_text(total)}")
    for title, table in (("by model", stats.spend_by_model), ("by script", stats.spend_by_script)):
        for key, cents in sorted(table.items(), key=lambda kv: -kv[1]):
            out.append(f"  {title:<10} {key:<28} {usd_text(cents):>10}")
    days = sorted(stats.spend_by_day.items())
    if days:
        for day, cents in days[-14:]:
            out.append(f"  {'by day':<10} {day:<28} {usd_text(cents):>10}")
        if plots and len(days) >= 2:
            out += ["", _plot("bar", [d[5:] for d, _ in days[-14:]], [c / 100 for _, c in days[-14:]],
                              "spend per day (USD)", min(width, 100), max(8, 2 * len(days[-14:]) + 4))]
    return "\n".join(out)
