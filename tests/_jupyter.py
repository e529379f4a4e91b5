"""Helpers for the real-browser tests: a throw-away JupyterLab server and a headless Chromium.

:class:`JupyterLabServer` starts JupyterLab on ``127.0.0.1`` on a free port, without a token,
in a temporary working copy of the notebooks, with its own settings (no news toast, no update
check) and its own runtime directories, so that it never touches the user's Jupyter set-up. It
shuts the server and its kernels down on exit, also when the test fails.

:func:`find_chromium` finds a Chromium the way a user has it (``CONVARITH_CHROMIUM``, then
Playwright's own download, then the system's), :func:`launch_chromium` starts it headless through
Playwright, and :func:`browser_unavailable` skips a browser test with the one command that enables
it (or fails it where ``CONVARITH_REQUIRE_BROWSER`` is set, as ``.ci/run`` does).
:func:`scroll_into_view` finds an element in a notebook that JupyterLab virtualises (cells outside
the viewport are not in the DOM) by scrolling the notebook.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_VARIABLE = "CONVARITH_CHROMIUM"
"""Environment variable naming a Chromium (or Chrome) executable; it wins over every other place."""
REQUIRE_VARIABLE = "CONVARITH_REQUIRE_BROWSER"
"""Set (non-empty) to fail, not skip, a browser test that finds no Chromium or no Playwright."""
SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executable names looked up on ``PATH``, in this order (Debian, Ubuntu, Google's packages)."""
HOW_TO_ENABLE = (
    "`apt-get install chromium` or `python -m playwright install chromium`, "
    f"or set {CHROMIUM_VARIABLE}=/path/to/chromium"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# JupyterLab user settings for the test server: no news question, no update check.
_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class JupyterLabServer:
    """A JupyterLab server in a temporary directory, as a context manager.

    Parameters
    ----------
    workdir : Path
        An empty directory; the notebooks are copied into ``workdir / "notebooks"`` and the
        server's log goes to ``workdir / "jupyterlab.log"``.
    notebooks : iterable of Path
        Notebooks to copy into the working copy.
    startup_timeout : float
        Seconds to wait for the server to answer.
    """

    def __init__(self, workdir: Path, notebooks: Iterable[Path], startup_timeout: float = 90.0) -> None:
        self.workdir = workdir
        self.root = workdir / "notebooks"
        self.notebooks = list(notebooks)
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.log_path = workdir / "jupyterlab.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        """The JupyterLab URL that opens notebook ``name`` of the working copy."""
        return f"{self.base_url}/lab/tree/{name}"

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for variable, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),  # the lab extensions and kernels installed with Python remain
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("IPYTHONDIR", "ipython"),
        ]:
            path = self.workdir / sub
            path.mkdir(parents=True, exist_ok=True)
            env[variable] = str(path)
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p)
        env["MPLBACKEND"] = "Agg"
        return env

    def _write_settings(self) -> None:
        for relative, values in _SETTINGS.items():
            path = self.workdir / "settings" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))

    def start(self) -> None:
        """Copy the notebooks, start the server and wait until it answers."""
        self.root.mkdir(parents=True, exist_ok=True)
        for notebook in self.notebooks:
            shutil.copy(notebook, self.root / notebook.name)
        env = self._environment()
        self._write_settings()
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.terminals_enabled=False",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            command.append("--allow-root")
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with status {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer within {self.startup_timeout} s:\n{self.log()}")

    def log(self) -> str:
        """The server's log so far (its last 4000 characters)."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def running_kernels(self) -> list[dict[str, Any]]:
        """The kernels the server reports, as in ``GET /api/kernels``."""
        with urllib.request.urlopen(f"{self.base_url}/api/kernels", timeout=5) as response:
            kernels: list[dict[str, Any]] = json.load(response)
            return kernels

    def stop(self) -> None:
        """Shut the server and its kernels down: politely first, then by signal."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:  # the shutdown endpoint also shuts down every kernel
                request = urllib.request.Request(f"{self.base_url}/api/shutdown", method="POST", data=b"")
                urllib.request.urlopen(request, timeout=5).close()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        # The server ran in its own session: signal that group only.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            time.sleep(1.0)
        if process.poll() is None:
            process.wait(timeout=10)
        # Kernels run in sessions of their own; any left (a server that did not shut down) are found
        # by their connection file, which lives in this server's private runtime directory.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            left = self.kernel_pids()
            for pid in left:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            if not left:
                break
            time.sleep(1.0)
        if self._log is not None:
            self._log.close()
        self.process = None

    def kernel_pids(self) -> list[int]:
        """Processes whose command line names this server's runtime directory (its kernels)."""
        runtime = str(self.workdir / "runtime")
        pids = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if runtime in command and int(entry.name) != os.getpid():
                pids.append(int(entry.name))
        return pids

    def __enter__(self) -> JupyterLabServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


class ChromiumNotFound(LookupError):
    """No usable Chromium; the message says why and how to get one."""


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def playwright_chromium(playwright: Any) -> str | None:
    """The Chromium that ``python -m playwright install chromium`` puts in place (installed or not)."""
    try:
        return str(playwright.chromium.executable_path)
    except Exception:  # an old or broken Playwright: there is no own browser to offer
        return None


def find_chromium(playwright_executable: str | None = None) -> Path:
    """The Chromium to drive: the first of these places that holds an executable.

    1. ``$CONVARITH_CHROMIUM``: when set, it must name an executable file (no fallback, so a typo
       is reported instead of silently testing another browser);
    2. Playwright's own browser, ``playwright_executable`` (``playwright.chromium.executable_path``),
       if that file exists;
    3. the system's: ``chromium``, ``chromium-browser``, ``google-chrome``, ``google-chrome-stable``
       on ``PATH`` (``shutil.which``).

    Raises
    ------
    ChromiumNotFound
        Nothing found; the message names the commands that install a Chromium.
    """
    configured = os.environ.get(CHROMIUM_VARIABLE, "")
    if configured:
        path = Path(configured).expanduser()
        if _is_executable(path):
            return path
        raise ChromiumNotFound(f"{CHROMIUM_VARIABLE}={configured} is not an executable file")
    if playwright_executable and _is_executable(Path(playwright_executable)):
        return Path(playwright_executable)
    for name in SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ChromiumNotFound(f"no Chromium found: {HOW_TO_ENABLE}")


def browser_unavailable(reason: str) -> NoReturn:
    """Skip the calling test because of ``reason``; fail it instead where the browser is required.

    ``.ci/run`` sets ``CONVARITH_REQUIRE_BROWSER=1`` after installing Chromium, so that a browser
    test can never be skipped there by accident.
    """
    import pytest

    if os.environ.get(REQUIRE_VARIABLE):
        pytest.fail(f"{reason} ({REQUIRE_VARIABLE} is set: browser tests must run)", pytrace=False)
    pytest.skip(reason)


def sync_playwright_or_skip() -> Any:
    """``playwright.sync_api.sync_playwright``, or skip (fail under ``CONVARITH_REQUIRE_BROWSER``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright is not installed: `python -m pip install -e '.[test]'`")
    return sync_playwright


def launch_chromium(playwright: Any) -> Any:
    """The Chromium of :func:`find_chromium`, headless, through Playwright (a Playwright ``Browser``).

    Skips the calling test, naming the command that enables it, when no Chromium is found.
    """
    try:
        executable = find_chromium(playwright_chromium(playwright))
    except ChromiumNotFound as missing:
        browser_unavailable(str(missing))
    return playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)


def scroll_into_view(page: Any, locator: Any, timeout: float = 60.0, step: int = 400) -> Any:
    """Scroll the open notebook until ``locator`` (its first match) is attached, then into view.

    JupyterLab's notebook attaches only the cells near the viewport, so an element further down
    is not in the DOM until the notebook has been scrolled there. This scrolls the notebook's
    scroller from the top in steps, wrapping round at the end, until the element appears.
    """
    scroller = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").first
    deadline = time.monotonic() + timeout
    first = locator.first
    while time.monotonic() < deadline:
        if first.count() > 0:
            first.scroll_into_view_if_needed(timeout=10_000)
            return first
        at_end = scroller.evaluate(
            """(el, step) => {
                const before = el.scrollTop;
                el.scrollTop = before + step;
                if (el.scrollTop === before) { el.scrollTop = 0; return true; }
                return false;
            }""",
            step,
        )
        page.wait_for_timeout(400 if at_end else 150)
    raise TimeoutError(f"element {locator} did not appear in the notebook within {timeout} s")


def write_notebook(path: Path, sources: Iterable[str]) -> Path:
    """A Python 3 notebook of code cells ``sources`` at ``path`` (no outputs)."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)
    return path


def wait_for(read: Any, until: Any, timeout: float = 30.0) -> Any:
    """Poll ``read()`` until ``until(value)``; the last value either way (the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not until(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


def picture_bytes(picture: Any) -> bytes:
    """The bytes of the image an ``<img>`` shows (fetched from its blob URL; empty without one)."""
    values: list[int] = picture.evaluate(
        """async (img) => {
            if (!img.src) return [];
            const response = await fetch(img.src);
            return Array.from(new Uint8Array(await response.arrayBuffer()));
        }"""
    )
    return bytes(values)
