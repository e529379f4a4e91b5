#!/usr/bin/env bash
# The package as a pip user gets it. Builds the wheel, installs it with its [notebooks] extra into a
# fresh virtual environment outside the source tree (no torch: the oracles are for tests only), and
# from a folder that is not the source tree runs `convarith gallery OUT`, `convarith notebooks DIR`
# and every copied notebook in a kernel of that environment.
#
#   bash .ci/wheel-smoke.sh [--install | --run] [WORKDIR]
#
# WORKDIR defaults to a new temporary folder, removed when done. --install only builds and installs
# (mostly downloads: .ci/run does it in the background while the tests run); --run then uses that
# WORKDIR's environment. pip and Jupyter write to log files in WORKDIR; a failing step prints its
# log's end.
set -euo pipefail

SRC="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python}"
PHASE=all
case "${1:-}" in
    --install) PHASE=install; shift ;;
    --run) PHASE=run; shift ;;
    -*) echo "usage: bash .ci/wheel-smoke.sh [--install | --run] [WORKDIR]" >&2; exit 2 ;;
esac
if [ $# -ge 1 ]; then
    WORK="$(mkdir -p "$1" && cd "$1" && pwd)"
elif [ "$PHASE" = all ]; then
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/convarith-wheel.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
else
    echo "wheel-smoke: --install and --run need a WORKDIR" >&2
    exit 2
fi
case "$WORK/" in "$SRC"/*) echo "wheel-smoke: WORKDIR must lie outside the source tree $SRC" >&2; exit 2 ;; esac
VENV="$WORK/venv"
USER_DIR="$WORK/user"  # the user's folder: nothing of the source tree in it
start=$SECONDS

step() { printf -- '-- wheel smoke: %s (%d s)\n' "$1" "$((SECONDS - start))"; }
fail() { echo "wheel-smoke: $*" >&2; exit 1; }
# try_logged NAME COMMAND...: run quietly into WORK/NAME.log; on failure, show the log's end
# (without terminal colours) and return 1. logged: the same, exiting on failure.
try_logged() {
    local log="$WORK/$1.log"
    shift
    if ! "$@" >"$log" 2>&1; then
        echo "wheel-smoke: failed: $*" >&2
        tail -n 40 "$log" | sed 's/\x1b\[[0-9;]*m//g' >&2
        return 1
    fi
}
logged() { try_logged "$@" || exit 1; }

if [ "$PHASE" != run ]; then
    step "build the wheel"
    rm -rf "$WORK/dist" "$VENV"
    logged build "$PYTHON" -m pip wheel --no-deps --wheel-dir "$WORK/dist" "$SRC"
    wheels=("$WORK"/dist/convarith-*.whl)
    [ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ] || fail "expected one convarith wheel in $WORK/dist"
    WHEEL="${wheels[0]}"
    echo "   $(basename "$WHEEL")"

    step "install it with [notebooks] into a fresh venv"
    "$PYTHON" -m venv "$VENV"
    logged install "$VENV/bin/python" -m pip install "$WHEEL[notebooks]"
fi
if [ "$PHASE" = install ]; then
    step "installed"
    exit 0
fi
[ -x "$VENV/bin/convarith" ] || fail "no installed environment in $VENV (run with --install first)"

rm -rf "$USER_DIR"
mkdir -p "$USER_DIR"
cd "$USER_DIR"
unset PYTHONPATH JUPYTER_PATH
export MPLBACKEND=Agg MPLCONFIGDIR="$WORK/matplotlib"
export JUPYTER_CONFIG_DIR="$WORK/jupyter/config" JUPYTER_DATA_DIR="$WORK/jupyter/data"
export JUPYTER_RUNTIME_DIR="$WORK/jupyter/runtime" IPYTHONDIR="$WORK/ipython"
"$VENV/bin/python" - "$VENV" <<'EOF' || fail "the venv does not run the installed wheel"
import importlib.util
import sys
from pathlib import Path

import convarith

venv = Path(sys.argv[1]).resolve()
where = Path(convarith.__file__).resolve()
assert venv in where.parents, f"convarith imported from {where}, not from the venv {venv}"
assert importlib.util.find_spec("torch") is None, "installing convarith[notebooks] pulled in torch"
print(f"   convarith {convarith.__version__} from {where.parent}")
EOF

step "convarith gallery OUT"
logged gallery "$VENV/bin/convarith" gallery out --no-progress
for name in padding_strides dilation no_padding_no_strides_transposed max_pooling_ceil_mode; do
    [ "$(head -c 6 "out/$name.gif" 2>/dev/null)" = "GIF89a" ] || fail "gallery: out/$name.gif is missing or no GIF"
done
echo "   $(find out -name '*.gif' | wc -l) GIFs in $USER_DIR/out"

step "convarith notebooks DIR"
logged notebooks "$VENV/bin/convarith" notebooks nb
count=$(find nb -maxdepth 1 -name '[0-9][0-9]_*.ipynb' | wc -l)
[ "$count" -eq "$(find "$SRC/notebooks" -maxdepth 1 -name '*.ipynb' | wc -l)" ] ||
    fail "convarith notebooks copied $count notebooks, the repository has $(find "$SRC/notebooks" -name '*.ipynb' | wc -l)"
echo "   $count notebooks in $USER_DIR/nb"

step "execute the copied notebooks in the venv's kernel"
# First a one-cell notebook that checks the kernel is the venv's Python with the wheel's convarith.
"$VENV/bin/python" - "$VENV" <<'EOF'
import sys

import nbformat

check = (
    "import sys, pathlib, convarith\n"
    f"venv = pathlib.Path({sys.argv[1]!r}).resolve()\n"
    "assert pathlib.Path(sys.prefix).resolve() == venv, sys.prefix\n"
    "assert venv in pathlib.Path(convarith.__file__).resolve().parents, convarith.__file__\n"
)
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(check)])
notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbformat.write(notebook, "kernel_check.ipynb")
EOF
logged kernel-check "$VENV/bin/jupyter" nbconvert --to notebook --execute --inplace kernel_check.ipynb
failed=()
for notebook in nb/[0-9][0-9]_*.ipynb; do
    name="$(basename "$notebook" .ipynb)"
    try_logged "execute-$name" "$VENV/bin/jupyter" nbconvert --to notebook --execute --inplace \
        --ExecutePreprocessor.timeout=300 "$notebook" || failed+=("$name")
done
[ ${#failed[@]} -eq 0 ] || fail "notebooks that failed: ${failed[*]}"
# nbconvert stops at an error; a warning or other stderr output in a cell is a failure too.
"$VENV/bin/python" - nb/[0-9][0-9]_*.ipynb <<'EOF'
import re
import sys

import nbformat

benign = re.compile(r"(Matplotlib is building the font cache; this may take a moment\.\s*)+")
bad = []
for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    if not all(c.execution_count for c in cells if c.source.strip()):
        bad.append(f"{path}: not every code cell ran")
    for number, cell in enumerate(cells):
        for output in cell.outputs:
            if output.output_type == "error" or (
                output.output_type == "stream" and output.name == "stderr" and not benign.fullmatch(output.text)
            ):
                bad.append(f"{path} code cell {number}: {output.get('text', output.get('ename'))!r}"[:500])
if bad:
    sys.exit("wheel-smoke: notebook output on stderr:\n" + "\n".join(bad))
print(f"   {len(sys.argv) - 1} notebooks ran, no error or stderr output")
EOF

step "done"
