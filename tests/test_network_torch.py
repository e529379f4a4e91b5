"""convarith.inspect on PyTorch modules. Oracles: PyTorch's own output shapes (forward hooks),
FlopCounterMode for multiply-adds, and a gradient-based empirical receptive field."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from convarith.network import inspect  # noqa: E402


class Residual(nn.Module):
    def __init__(self, c: int, stride: int = 1) -> None:
        super().__init__()
        self.a = nn.Conv2d(c, c, 3, stride=stride, padding=1, bias=False)
        self.b = nn.Conv2d(c, c, 3, padding=1)
        self.shortcut = nn.Conv2d(c, c, 1, stride=stride)

    def forward(self, x):
        return F.relu(self.b(F.relu(self.a(x))) + self.shortcut(x))


class Inceptionish(nn.Module):
    """Branches of different kernels, concatenated: every path must be followed."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 7, stride=2, padding=3)
        self.pool = nn.MaxPool2d(3, 2, padding=1, ceil_mode=True)
        self.b1 = nn.Conv2d(8, 4, 1)
        self.b3 = nn.Conv2d(8, 4, 3, padding="same", dilation=2)
        self.b5 = nn.Sequential(nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(8, 4, 4))
        self.bp = nn.AvgPool2d(3, 1, padding=1, count_include_pad=False)
        self.res = Residual(16, stride=2)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.pw = nn.Conv2d(16, 8, 1)
        self.up = nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1)
        self.reflect = nn.ReflectionPad2d(1)
        self.lp = nn.LPPool2d(2, 2, ceil_mode=True)

    def forward(self, x):
        x = self.pool(F.relu(self.stem(x)))
        x = torch.cat([self.b1(x), self.b3(x), self.b5(x), F.pad(self.bp(x)[:, :4], (0, 0, 0, 0))], dim=1)
        x = self.res(x)
        x = self.pw(F.relu(self.dw(x)))
        return self.lp(self.reflect(self.up(x)))


class Dynamic(Inceptionish):
    """The same network with data-dependent control flow: torch.fx cannot trace it."""

    def forward(self, x):
        x = self.pool(F.relu(self.stem(x)))
        if x.mean() > -1e9:
            x = torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)[:, :4]], dim=1)
        x = self.res(x)
        x = self.pw(F.relu(self.dw(x)))
        return self.lp(self.reflect(self.up(x)))


class Conv1d3d(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv1d(2, 4, 5, stride=3, padding=2, dilation=2)
        self.p1 = nn.MaxPool1d(2, ceil_mode=True)

    def forward(self, x):
        return self.p1(self.c1(x))


def _hook_shapes(model, x):
    shapes = {}

    def hook(name):
        def record(module, inputs, output):
            shapes.setdefault(name, tuple(output.shape[2:]))

        return record

    handles = [m.register_forward_hook(hook(name)) for name, m in model.named_modules()]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return shapes


CASES = [
    (Inceptionish, (1, 3, 64, 64)),
    (Inceptionish, (2, 3, 67, 45)),
    (Dynamic, (1, 3, 64, 64)),
    (Conv1d3d, (1, 2, 101)),
]


@pytest.mark.parametrize(("cls", "size"), CASES, ids=[f"{c.__name__}-{s[2:]}" for c, s in CASES])
def test_output_sizes_match_forward_hooks(cls, size):
    torch.manual_seed(0)
    model = cls()
    report = inspect(model, size)
    expected = _hook_shapes(model, torch.zeros(size))
    checked = 0
    for row in report.layers:
        if row.name in expected:  # a module (F.pad rows have no hook)
            assert row.output_size == expected[row.name], row.name
            checked += 1
    assert checked >= len(report.layers) - 1
    assert ("hooks" in report.source) == (cls is Dynamic)


def test_fx_and_hooks_give_the_same_rows():
    torch.manual_seed(0)
    traced, hooked = inspect(Inceptionish(), (1, 3, 64, 64)), inspect(Dynamic(), (1, 3, 64, 64))

    def key(r):
        return (r.name, r.output_size, r.receptive_field, r.jump, r.warnings)

    assert [key(r) for r in traced.layers if r.source != "F.pad"] == [key(r) for r in hooked.layers]


def test_rows_name_modules_and_follow_every_branch():
    report = inspect(Inceptionish(), (1, 3, 64, 64))
    names = [r.name for r in report.layers]
    assert names[:6] == ["stem", "pool", "b1", "b3", "b5.0", "b5.1"]
    assert report["res.shortcut"].inputs == ("cat",)
    assert report["b3"].padding == ((2, 2), (2, 2))  # 'same' with dilation 2
    assert report["b3"].padding_rule == "same" and report["b3"].convention == "pytorch"
    # the concatenation's field is the widest branch's (the dilated 3x3: 5 wide), then res.a adds 2·4
    assert report["b3"].receptive_field[0] > report["b5.1"].receptive_field[0] > report["b1"].receptive_field[0]
    assert report["res.a"].receptive_field == (report["b3"].receptive_field[0] + 2 * 4,) * 2
    assert "depthwise-no-pointwise" not in report["dw"].warnings
    assert report["lp"].input_size == (20, 20) and report["lp"].output_size == (10, 10)
    odd = inspect(nn.Sequential(nn.LPPool2d(2, 2, ceil_mode=True)), (1, 1, 21, 21))[
        "0"
    ]  # the last window hangs past 21
    assert (odd.output_size, odd.warnings) == ((11, 11), ("ceil-window-in-padding",))


def test_depthwise_without_pointwise_in_a_module():
    model = nn.Sequential(nn.Conv2d(3, 8, 1), nn.Conv2d(8, 8, 3, groups=8), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
    report = inspect(model, (1, 3, 16, 16))
    assert report["1"].warnings == ("depthwise-no-pointwise",)
    model.append(nn.Flatten())
    model.append(nn.Linear(8, 2))
    assert inspect(model, (1, 3, 16, 16))["1"].warnings == ()

    class Mean(nn.Module):  # a mean over the spatial axes keeps the channels apart
        def __init__(self):
            super().__init__()
            self.dw = nn.Conv2d(8, 8, 3, groups=8)

        def forward(self, x):
            return self.dw(x).mean(dim=(2, 3))

    assert inspect(Mean(), (1, 8, 16, 16))["dw"].warnings == ("depthwise-no-pointwise",)


def test_multiply_adds_match_flop_counter():
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 5, stride=2, padding=2),
        nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=4, bias=False),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 1),
        nn.ConvTranspose2d(32, 8, 4, stride=2, padding=1, groups=2),
        nn.Conv2d(8, 8, 3, padding=1, groups=8),
    )
    x = torch.zeros(1, 3, 40, 30)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(x)
    report = inspect(model, tuple(x.shape))
    assert counter.get_total_flops() == 2 * report.multiply_adds
    assert report.parameters == sum(p.numel() for p in model.parameters())


def _gradient_field(model, size, position):
    """Input pixels whose gradient is non-zero when one output unit is back-propagated."""
    x = torch.ones(size, requires_grad=True)
    y = model(x)
    y[(0, 0, *position)].backward()
    mask = x.grad[0, 0].abs() > 0
    return [
        np.flatnonzero(mask.any(dim=1 - axis).numpy()) if mask.ndim == 2 else np.flatnonzero(mask)
        for axis in range(mask.ndim)
    ]


GRADIENT_STACKS = {
    "vgg-like": lambda: nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1),
        nn.Conv2d(2, 2, 3, padding=1),
        nn.AvgPool2d(2),
        nn.Conv2d(2, 2, 3, padding=1),
        nn.AvgPool2d(2),
        nn.Conv2d(2, 1, 3, padding=1),
    ),
    "strided-dilated": lambda: nn.Sequential(
        nn.Conv2d(1, 2, 7, stride=2, padding=3),
        nn.AvgPool2d(3, 2, padding=1),
        nn.Conv2d(2, 2, 3, padding=2, dilation=2),
        nn.Conv2d(2, 1, (2, 4), stride=(1, 2)),
    ),
    "residual": lambda: nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), Residual(2), nn.Conv2d(2, 1, 1)),
}


@pytest.mark.parametrize("name", GRADIENT_STACKS)
def test_receptive_field_matches_gradient(name):
    # positive weights and inputs: every input the unit reads gets a positive gradient
    torch.manual_seed(0)
    model = GRADIENT_STACKS[name]()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand_like(p) + 0.1)
    size = (1, 1, 96, 96)
    last = inspect(model, size).layers[-1]
    position = tuple(o // 2 for o in last.output_size)  # an interior unit: its field is inside the input
    got = _gradient_field(model, size, position)
    for axis, pixels in enumerate(got):
        f = last.field[axis]
        lo, hi = position[axis] * f.jump + f.lo, position[axis] * f.jump + f.hi
        assert (pixels.min(), pixels.max()) == (lo, hi), (axis, pixels.min(), pixels.max(), lo, hi)
        assert last.receptive_field[axis] == pixels.max() - pixels.min() + 1


def test_transposed_field_is_the_gradient():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.ConvTranspose2d(2, 1, 4, stride=2, padding=1))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand_like(p) + 0.1)
    size = (1, 1, 32, 32)
    last = inspect(model, size).layers[-1]
    for y in (15, 16):
        pixels = _gradient_field(model, size, (y, y))[0]
        assert (pixels.min(), pixels.max()) == last.field[0].reads(y)  # exact, phase by phase


def test_input_size_is_required():
    with pytest.raises(ValueError, match=r"`input_size` is needed for a PyTorch module"):
        inspect(nn.Conv2d(1, 1, 3))
