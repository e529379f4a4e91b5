"""The report's figure: receptive field and resolution per layer (matplotlib imported here only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from convarith.network.report import Report

__all__ = ["plot_report"]

_MAX_WIDTH = 16.0
"""Inches: wider figures do not fit a screen or a page; the axis is thinned instead."""

_NAMED_TICKS = 60
"""Up to this many layers every one is named on the axis; beyond, about this many are."""


def plot_report(report: Report, axis: int = 0, ax: Any = None) -> Any:
    """Receptive field (left scale, log) and output resolution (right scale) of each layer.

    Parameters
    ----------
    report : Report
    axis : int
        The spatial axis.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    One point per layer, in execution order, named on the horizontal axis (every layer up to
    60 layers, evenly thinned beyond, the figure at most 16 inches wide). The points are not
    joined: layers of parallel branches (Inception, residual shortcuts) follow each other in
    execution order, and a line through them would show a field that shrinks and grows again
    where it only changes branch. Layers with a warning are ringed in red; the input size is a
    dashed line, where the receptive field covers the whole input. The legend sits below the
    axes, outside the data.

    Examples
    --------
    >>> from convarith.network import inspect
    >>> from convarith.arithmetic.layer import layer
    >>> fig = plot_report(inspect([layer("conv", None, 3, padding=1), layer("max_pool", None, 2)], input_size=(32, 32)))
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    rows = report.layers
    if ax is None:
        width = min(_MAX_WIDTH, max(6.0, 0.12 * len(rows) + 4))
        fig, ax = plt.subplots(figsize=(width, 4.8), layout="constrained")
    else:
        fig = ax.figure
    x = list(range(len(rows)))
    fields = [float(r.receptive_field[axis]) if r.receptive_field else float("nan") for r in rows]
    sizes = [r.output_size[axis] for r in rows]
    ax.plot(x, fields, "o", linestyle="none", color="tab:blue", markersize=3, label="receptive field")
    warned = [n for n, r in enumerate(rows) if r.warnings]
    ax.plot(
        warned,
        [fields[n] for n in warned],
        "o",
        linestyle="none",
        markersize=8,
        markerfacecolor="none",
        color="tab:red",
        label="warning",
    )
    if report.input_size is not None:
        ax.axhline(report.input_size[axis], color="grey", linestyle="--", linewidth=1, label="input size")
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    ax.set_yscale("log", base=2)
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(NullFormatter())
    step = max(1, -(-len(rows) // _NAMED_TICKS))
    ticks = x[::step]
    ax.set_xticks(ticks, [rows[n].name for n in ticks], rotation=90, fontsize=6 if len(ticks) > 30 else 8)
    ax.set_xlim(-0.5, len(rows) - 0.5)
    every = "every layer named" if step == 1 else f"1 layer in {step} named"
    ax.set_xlabel(f"layers in execution order ({every}; points not joined: branches interleave)", fontsize=8)
    ax.set_ylabel("receptive field (input pixels)", color="tab:blue")
    right = ax.twinx()
    right.plot(x, sizes, "_", linestyle="none", color="tab:orange", markersize=6, label="output size")
    right.set_yscale("log", base=2)
    right.yaxis.set_major_locator(LogLocator(base=2))
    right.yaxis.set_major_formatter(plain)
    right.yaxis.set_minor_formatter(NullFormatter())
    right.set_ylabel("output size (cells)", color="tab:orange")
    ax.set_title(f"{report.source}: receptive field and resolution, axis {axis}")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    fig.legend(lines[0] + more[0], lines[1] + more[1], loc="outside lower center", ncols=4, fontsize=8)
    return fig
