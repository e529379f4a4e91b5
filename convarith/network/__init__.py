"""Inspect a real network: every layer's arithmetic, receptive field and portability.

:func:`inspect` reads a Keras ``.keras`` file, an ONNX model, a PyTorch module or a list of layer
values, follows every path of its graph and returns a :class:`Report` with one :class:`Row` per
convolution, transposed convolution, pooling and explicit padding layer. The frameworks are
optional: each is imported only when a model of its kind is inspected. :func:`example` gives the
path of a small shipped network to try it on.
"""

from convarith.network.checks import WARNING_CODES
from convarith.network.examples import EXAMPLES, example
from convarith.network.inspection import inspect
from convarith.network.porting import Advice
from convarith.network.report import Report, Row

__all__ = ["inspect", "Report", "Row", "Advice", "WARNING_CODES", "example", "EXAMPLES"]
