"""Measure how long Run All takes for each notebook of ``notebooks/``; write ``docs/notebook_times.json``.

Usage (from the repository root)::

    python docs/_ext/time_notebooks.py            # every notebook, one after the other
    python docs/_ext/time_notebooks.py --repeat 2  # the median of two runs each

Each notebook runs top to bottom in a fresh ``python3`` kernel through nbclient, as JupyterLab's
*Run All* after *Restart Kernel* does: the seconds include starting the kernel. The widgets are
the live ones (the variable that turns on the docs' static views is removed). The teacher's page
(``docs/teaching.md``) reads the file; the measurement is not repeated at every docs build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMES = ROOT / "docs" / "notebook_times.json"


def run_all_seconds(path: Path) -> float:
    """Seconds to start a kernel and run every cell of the notebook at ``path``."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> None:
    """Time every notebook and write :data:`TIMES`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook; the median is kept")
    args = parser.parse_args()
    os.environ.pop("CONVARITH_STATIC_WIDGETS", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    load = os.getloadavg()[0]  # other work on the machine slows the runs down
    seconds = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        runs = [run_all_seconds(path) for _ in range(args.repeat)]
        seconds[path.stem] = round(statistics.median(runs), 1)
        print(f"{path.stem}: {seconds[path.stem]} s", flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    record = {
        "seconds": seconds,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_average": round(max(load, os.getloadavg()[0]), 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "commit": commit.stdout.strip(),
    }
    TIMES.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {TIMES}")


if __name__ == "__main__":
    main()
