"""The one op vocabulary: :data:`OPS`, the names a :class:`~convarith.arithmetic.Layer` has.

Every entry point (:func:`~convarith.arithmetic.layer`, :func:`~convarith.arithmetic.geometry`,
:func:`convarith.studies.layer`, the ``receptive-field`` grammar of the command line, the
widgets) reads an op name through :func:`op_name`: one of :data:`OPS`, or an older spelling of
:data:`OP_ALIASES`; any other name is refused with the list.
"""

from __future__ import annotations

from typing import Literal

from convarith.arithmetic.validate import check_choice

__all__ = ["OPS", "OP_ALIASES", "Op", "OpName", "op_name"]

Op = Literal["conv", "conv_transpose", "max_pool", "avg_pool", "lp_pool"]
OpName = Literal["conv", "conv_transpose", "max_pool", "avg_pool", "lp_pool", "pool", "transpose"]
"""An op or one of its aliases: what the entry points accept."""
OPS: tuple[str, ...] = ("conv", "conv_transpose", "max_pool", "avg_pool", "lp_pool")
"""The operations a :class:`~convarith.arithmetic.Layer` describes (its ``op``)."""
OP_ALIASES: dict[str, str] = {"pool": "max_pool", "transpose": "conv_transpose"}
"""Older spellings accepted as input: ``'pool'`` (max pooling) and ``'transpose'``."""


def op_name(op: object, name: str = "op") -> Op:
    """The op a name stands for: one of :data:`OPS`, or an alias of :data:`OP_ALIASES`.

    Parameters
    ----------
    op : str
        ``'conv'``, ``'conv_transpose'``, ``'max_pool'``, ``'avg_pool'``, ``'lp_pool'``, or an
        older spelling: ``'pool'`` (max pooling) or ``'transpose'``.
    name : str
        The parameter's name in the message.

    Returns
    -------
    str
        One of :data:`OPS`.

    Raises
    ------
    LayerError
        Any other spelling: the message lists the ops, then the aliases (the message of
        :func:`convarith.arithmetic.validate.check_choice`).

    Examples
    --------
    >>> op_name("max_pool"), op_name("pool"), op_name("transpose")
    ('max_pool', 'max_pool', 'conv_transpose')
    >>> op_name("deconv", "kind")
    Traceback (most recent call last):
    ...
    convarith.arithmetic.validate.LayerError: `kind` must be one of 'conv', 'conv_transpose', ...; got 'deconv'
    """
    if isinstance(op, str) and op in OP_ALIASES:
        return OP_ALIASES[op]  # type: ignore[return-value]
    return check_choice(op, name, (*OPS, *OP_ALIASES))  # type: ignore[return-value]  # raises: none of them
