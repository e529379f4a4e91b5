"""Small example networks shipped with convarith, so :func:`convarith.inspect` can be tried with NumPy alone."""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLES", "example"]

_DATA = Path(__file__).resolve().parent / "data"

EXAMPLES: dict[str, str] = {
    "inception_block": (
        "a Keras functional model on a 64×64×3 input: a stride-2 'same' stem, an Inception-like block "
        "(1×1, 3×3 and 5×5 branches concatenated), a residual downsampling block (a 3×3 'same' "
        "convolution at stride 2 added to a 1×1 shortcut at stride 2) and a depthwise 3×3 "
        "convolution with no pointwise convolution after it, then a global average"
    ),
}
"""The shipped example networks, by name, with what each one holds (see :func:`example`)."""


def example(name: str) -> Path:
    """The path of a shipped example network, ready for :func:`convarith.inspect`.

    Parameters
    ----------
    name : str
        One of :data:`EXAMPLES`: ``"inception_block"``.

    Returns
    -------
    Path
        A Keras 3 ``.keras`` file inside the installed package.

    Raises
    ------
    ValueError
        If `name` is not an example.

    Notes
    -----
    The file holds only what the reader needs: ``config.json`` (the layers, their arguments and
    the tensors each is called on) and ``metadata.json``. It was saved once with Keras 3.15.1
    (``model.save``) and its weights (``model.weights.h5``) were removed, which brings it to about
    1.4 KB; Keras itself therefore cannot load it, but convarith reads the zip without Keras.
    ``tests/network/test_network_examples.py`` rebuilds the model with Keras and checks that the shipped
    file gives the same report as the live model, and Keras' own output shapes.

    Examples
    --------
    >>> from convarith.network import inspect
    >>> report = inspect(example("inception_block"))
    >>> [(row.name, row.output_size) for row in report.layers][:2]
    [('stem', (32, 32)), ('branch_1x1', (32, 32))]
    >>> report.warnings["depthwise-no-pointwise"]
    ('depthwise',)
    """
    if name not in EXAMPLES:
        raise ValueError(f"`name` must be one of {sorted(EXAMPLES)}, got {name!r}")
    return _DATA / f"{name}.keras"
