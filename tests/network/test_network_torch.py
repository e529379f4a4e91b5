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


# Hand-written modules beyond chains (issue 18): rows, sizes (forward hooks, or the tensors the
# functional calls return) and fields (autograd, every cell of an interior window) must agree.


class UNet(nn.Module):
    """Two levels down (pooling), two up (k=2, s=2 transposed convolutions), skip concatenations."""

    def __init__(self, pool: type = nn.MaxPool2d) -> None:
        super().__init__()
        self.e1, self.p1 = nn.Conv2d(1, 4, 3, padding=1), pool(2)
        self.e2, self.p2 = nn.Conv2d(4, 8, 3, padding=1), pool(2)
        self.mid = nn.Conv2d(8, 8, 3, padding=1)
        self.u2, self.d2 = nn.ConvTranspose2d(8, 8, 2, stride=2), nn.Conv2d(16, 4, 3, padding=1)
        self.u1, self.d1 = (
            nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1),
            nn.Conv2d(8, 1, 3, padding=1),
        )

    def forward(self, x):
        a = F.relu(self.e1(x))
        b = F.relu(self.e2(self.p1(a)))
        m = F.relu(self.mid(self.p2(b)))
        d = F.relu(self.d2(torch.cat([self.u2(m), b], 1)))
        return self.d1(torch.cat([self.u1(d), a], 1))


class Gated(nn.Module):
    """A WaveNet-like stack: causal dilated convolutions, gates split with chunk, residual 1x1s."""

    def __init__(self, channels: int = 4, dilations: tuple[int, ...] = (1, 2, 4, 8), dynamic: bool = False) -> None:
        super().__init__()
        self.dilations, self.dynamic = dilations, dynamic
        self.inp = nn.Conv1d(1, channels, 1)
        self.dil = nn.ModuleList(nn.Conv1d(channels, 2 * channels, 2, dilation=d) for d in dilations)
        self.res = nn.ModuleList(nn.Conv1d(channels, channels, 1) for _ in dilations)
        self.out = nn.Conv1d(channels, 1, 1)

    def forward(self, x):
        x = self.inp(x)
        if self.dynamic and bool(x.sum() > -1e9):  # fx cannot trace this: forward hooks instead
            x = x + 0
        for d, conv, res in zip(self.dilations, self.dil, self.res, strict=True):
            p, q = conv(F.pad(x, (d, 0))).chunk(2, 1)
            x = x + res(torch.tanh(p) * torch.sigmoid(q))
        return self.out(x)


class FunctionalMiddle(nn.Module):
    """A functional convolution (weights held by the module) between two convolution modules."""

    def __init__(self, dynamic: bool = False) -> None:
        super().__init__()
        self.dynamic = dynamic
        self.a = nn.Conv2d(2, 4, 3, padding=1)
        self.w = nn.Parameter(torch.randn(6, 4, 3, 3))
        self.b = nn.Parameter(torch.zeros(6))
        self.c = nn.Conv2d(6, 1, 3, padding=1)
        self.w_up = nn.Parameter(torch.randn(1, 1, 3))

    def forward(self, x):
        h = self.a(x)
        if self.dynamic and bool(h.sum() > -1e9):  # fx cannot trace this: forward hooks instead
            h = h + 0
        h = F.conv2d(h, self.w, self.b, stride=2, padding=1)
        h = F.avg_pool2d(self.c(h), 2, stride=1)
        return h


class Functional1d3d(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w1 = nn.Parameter(torch.ones(2, 1, 3))
        self.wt = nn.Parameter(torch.ones(2, 1, 4))

    def forward(self, x):
        x = F.conv1d(x, self.w1, padding=2, dilation=2)
        x = F.max_pool1d(x, 2)
        return F.conv_transpose1d(x, self.wt, stride=2, padding=1, groups=2)


def _fill(model, value):
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(value)
    return model


def _cell_span(model, size, cell):
    x = torch.ones(size, dtype=torch.float64, requires_grad=True)
    model(x)[(0, 0, *cell)].backward()
    mask = (x.grad[0].abs() > 0).any(dim=0)
    spans = []
    for axis in range(mask.ndim):
        other = tuple(a for a in range(mask.ndim) if a != axis)
        idx = np.flatnonzero((mask.any(dim=other) if other else mask).numpy())
        spans.append((int(idx.min()), int(idx.max())))
    return spans


def _check_fields(model, size, last):
    for step in range(4):
        cell = tuple(o // 2 + step for o in last.output_size)
        got = _cell_span(model, size, cell)
        want = [tuple(int(v) for v in f.reads(y)) for f, y in zip(last.field, cell, strict=True)]
        assert got == want, (cell, got, want)


@pytest.mark.parametrize("size", [(1, 1, 16, 16), (1, 1, 20, 28)])
def test_unet_rows_sizes_and_fields(size):
    model = UNet()
    report = inspect(model, size)
    assert [r.name for r in report.layers] == ["e1", "p1", "e2", "p2", "mid", "u2", "d2", "u1", "d1"]
    hooks = _hook_shapes(model, torch.zeros(size))
    assert all(hooks[r.name] == r.output_size for r in report.layers)
    assert report.layers[-1].output_size == tuple(size[2:])
    smooth = _fill(UNet(nn.AvgPool2d), 0.1).double()  # average pooling: every cell of a window counts
    big = (1, 1, 48, 48)  # the field (26) inside the input around the centre
    last = inspect(smooth, big).layers[-1]
    _check_fields(smooth, big, last)
    # by hand: mid reads 18 (jump 4); u2 one mid cell; d2 two of them, 18 + 4 = 22 (jump 2); u1 (k3, s2)
    # one or two d2 cells; d1's three neighbours reach three d2 cells on even rows: 22 + 2*2 = 26
    assert last.receptive_field == (26, 26)


@pytest.mark.parametrize("dynamic", [False, True], ids=["fx", "hooks"])
def test_gated_dilated_stack_keeps_its_residual_convolutions(dynamic):
    model = Gated(dynamic=dynamic)
    size = (1, 1, 64)
    report = inspect(model, size)
    ops = [r.op for r in report.layers]
    assert ops == ["conv"] + ["pad", "conv", "conv"] * 4 + ["conv"]
    assert [r.name for r in report.layers if r.name.startswith("res")] == ["res.0", "res.1", "res.2", "res.3"]
    hooks = _hook_shapes(model, torch.zeros(size))
    assert all(hooks[r.name] == r.output_size for r in report.layers if r.name in hooks)
    out = report.layers[-1]
    assert out.receptive_field == (16,)  # 1 + (1 + 2 + 4 + 8)(2 - 1), causal
    _check_fields(_fill(Gated(dynamic=dynamic), 0.05).double(), size, out)


@pytest.mark.parametrize("dynamic", [False, True], ids=["fx", "hooks"])
def test_functional_convolution_between_modules_is_a_row(dynamic):
    model = FunctionalMiddle(dynamic)
    size = (1, 2, 17, 17)
    report = inspect(model, size)
    assert report.notes == () or all("resize" not in n for n in report.notes)
    rows = report.layers
    assert [(r.op, r.source) for r in rows] == [
        ("conv", "nn.Conv2d"),
        ("conv", "F.conv2d"),
        ("conv", "nn.Conv2d"),
        ("avg_pool", "F.avg_pool2d"),
    ]
    functional = rows[1]
    assert (functional.in_channels, functional.out_channels, functional.parameters) == (4, 6, 6 * 4 * 9 + 6)
    with torch.no_grad():
        h = F.conv2d(model.a(torch.zeros(size)), model.w, model.b, stride=2, padding=1)
    assert functional.output_size == tuple(h.shape[2:]) == (9, 9)
    assert rows[-1].output_size == tuple(model(torch.zeros(size)).shape[2:])
    assert rows[2].receptive_field == (9, 9)  # 3; the functional 3x3/2: 5, jump 2; then 3 at jump 2: 9
    big = (1, 2, 41, 41)  # interior cells whose fields lie inside the input
    smooth = _fill(FunctionalMiddle(dynamic), 0.1).double()
    _check_fields(smooth, big, inspect(smooth, big).layers[-1])


def test_functional_1d_pool_and_transposed():
    model = Functional1d3d()
    size = (1, 1, 23)
    rows = inspect(model, size).layers
    assert [(r.op, r.output_size) for r in rows] == [
        ("conv", (23,)),
        ("max_pool", (11,)),
        ("conv_transpose", tuple(model(torch.zeros(size)).shape[2:])),
    ]
    assert rows[-1].groups == 2 and rows[-1].in_channels == 2 and rows[-1].out_channels == 2


def test_float64_module():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3)).double()
    size = (1, 3, 15, 15)
    report = inspect(model, size)
    hooks = _hook_shapes(model, torch.zeros(size, dtype=torch.float64))
    assert [(r.name, r.output_size) for r in report.layers] == [("0", hooks["0"]), ("2", hooks["2"])]
    assert model[0].weight.dtype == torch.float64


class Functional3d(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.ones(4, 2, 3, 3, 1))
        self.wt = nn.Parameter(torch.ones(4, 2, 2, 2, 2))

    def forward(self, x):
        x = F.avg_pool3d(F.conv3d(x, self.w, stride=(2, 1, 1), padding=(1, 0, 0)), 2, ceil_mode=True)
        return F.conv_transpose3d(x, self.wt, stride=2)


def test_functional_3d():
    model = Functional3d()
    size = (1, 2, 9, 8, 7)
    rows = inspect(model, size).layers
    with torch.no_grad():
        mid = F.conv3d(torch.zeros(size), model.w, stride=(2, 1, 1), padding=(1, 0, 0))
        out = model(torch.zeros(size))
    assert [(r.op, r.output_size) for r in rows] == [
        ("conv", tuple(mid.shape[2:])),
        ("avg_pool", tuple(F.avg_pool3d(mid, 2, ceil_mode=True).shape[2:])),
        ("conv_transpose", tuple(out.shape[2:])),
    ]
    assert (rows[2].in_channels, rows[2].out_channels, rows[2].parameters) == (4, 2, 4 * 2 * 8)
