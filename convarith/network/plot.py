"""The report's figure: receptive field and resolution per layer (matplotlib imported here only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from convarith.network.report import Report

__all__ = ["plot_report"]


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
    Layers with a warning are marked with a red ring; the input size is drawn as a dashed line,
    the point where the receptive field covers the whole input.

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

    if ax is None:
        fig, ax = plt.subplots(figsize=(max(6.0, 0.12 * len(report.layers) + 4), 3.6), layout="constrained")
    else:
        fig = ax.figure
    x = list(range(len(report.layers)))
    fields = [float(r.receptive_field[axis]) if r.receptive_field else float("nan") for r in report.layers]
    sizes = [r.output_size[axis] for r in report.layers]
    ax.plot(x, fields, "o-", color="tab:blue", markersize=3, label="receptive field")
    warned = [n for n, r in enumerate(report.layers) if r.warnings]
    ax.plot(
        warned, [fields[n] for n in warned], "o", markersize=8, markerfacecolor="none", color="tab:red", label="warning"
    )
    if report.input_size is not None:
        ax.axhline(report.input_size[axis], color="grey", linestyle="--", linewidth=1, label="input size")
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    ax.set_yscale("log", base=2)
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("layer (execution order)")
    ax.set_ylabel("receptive field (input pixels)", color="tab:blue")
    right = ax.twinx()
    right.step(x, sizes, where="mid", color="tab:orange", label="output size")
    right.set_yscale("log", base=2)
    right.yaxis.set_major_locator(LogLocator(base=2))
    right.yaxis.set_major_formatter(plain)
    right.yaxis.set_minor_formatter(NullFormatter())
    right.set_ylabel("output size (cells)", color="tab:orange")
    ax.set_title(f"{report.source}: receptive field and resolution, axis {axis}")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="best", fontsize=8, framealpha=0.8)
    return fig
