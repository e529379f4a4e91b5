"""The figures of Dumoulin & Visin's guide as named cases, shared by the tests.

Parameters from ``../shared/REFERENCE.md``; output sizes read off the guide's figures and worked
by hand with ``o = floor((i + 2p - d(k - 1) - 1)/s) + 1``.
"""

from __future__ import annotations

GUIDE_FIGURES: dict[str, tuple[int, int, int, int, int]] = {
    "no_padding_no_strides": (4, 3, 1, 0, 1),
    "arbitrary_padding_no_strides": (5, 4, 1, 2, 1),
    "same_padding_no_strides": (5, 3, 1, 1, 1),
    "full_padding_no_strides": (5, 3, 1, 2, 1),
    "no_padding_strides": (5, 3, 2, 0, 1),
    "padding_strides": (5, 3, 2, 1, 1),
    "padding_strides_odd": (6, 3, 2, 1, 1),
    "dilation": (7, 3, 1, 0, 2),
}
"""name -> (i, k, s, p, d)"""

GUIDE_OUTPUT: dict[str, int] = {
    "no_padding_no_strides": 2,
    "arbitrary_padding_no_strides": 6,
    "same_padding_no_strides": 5,
    "full_padding_no_strides": 7,
    "no_padding_strides": 2,
    "padding_strides": 3,
    "padding_strides_odd": 3,
    "dilation": 3,
}
"""name -> output size along each axis"""
