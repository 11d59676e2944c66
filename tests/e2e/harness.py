"""Run the real app (``streamlit run app.py``) and drive Debian's Chromium through Playwright.

Shared by the end-to-end tests and ``docs/screenshots.py``. Chromium is never
downloaded (no ``playwright install``): we use the system one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
STARTUP_SECONDS = 60  # a cold start imports pandas, pandera and streamlit on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(db_path: Path | str, base: dict | None = None) -> dict:
    env = dict(base or os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["INCIDENT_KIT_DB"] = str(db_path)
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return env


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a server started in its own process group: TERM, then KILL after 20 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def streamlit_app(db_path: Path | str, *, env: dict | None = None, log: Path | None = None, args: tuple = (),
                  port: int | None = None):
    """Start ``streamlit run app.py`` on a free localhost port (or ``port``, when the test must know it before,
    e.g. for links the app writes); yield its URL; stop it (and wait) on exit.

    ``args`` are extra ``streamlit run`` options, e.g. ``("--secrets.files", path)`` for a test's own secrets.
    """
    port = port or free_port()
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
         *map(str, args)],
        cwd=REPO, env=child_env(db_path, env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with status {proc.returncode}" + (f"; see {log}" if log else ""))
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer on {url} within {STARTUP_SECONDS} s")
            time.sleep(0.3)
        yield url
    finally:
        stop_group(proc)
        if log:
            out.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def require_chromium() -> None:
    """Skip the calling test module (call it at module level) when the system Chromium is missing."""
    if not CHROMIUM.exists():
        import pytest

        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); "
                    "the browser test drives it and never downloads one.", allow_module_level=True)


@contextlib.contextmanager
def app_in_browser(db_path: Path | str, *, env: dict | None = None, log: Path | None = None, args: tuple = ()):
    """The real app on ``db_path`` and a headless Chromium to drive it: yields ``(url, browser)``; the
    browser is closed, then the app stopped, when the block ends."""
    from playwright.sync_api import sync_playwright

    with streamlit_app(db_path, env=env, log=log, args=args) as url, sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield url, browser
        finally:
            browser.close()


class RunWatch:
    """When the app's runs end, from Streamlit's own message: the ``script_finished`` ForwardMsg of each run.

    The page alone cannot tell: with ``toolbarMode = "minimal"`` the status widget never shows, and a page's
    title is drawn as soon as its first line runs, seconds before the queries under it end (measured at 1M
    incidents on PostgreSQL: Reviews titled at 1.9 s, its last text at 3.4 s). Listens to the page's
    websocket from construction; ``wait(page, since)`` returns when a whole run (not a fragment's) ended
    after ``since`` (``time.perf_counter()``).
    """

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg, self.finished, self.heard = ForwardMsg, [], []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        self.heard.append(time.perf_counter())
        if isinstance(payload, str):
            return
        msg = self._msg()
        try:
            msg.ParseFromString(payload)
        except Exception:  # not a ForwardMsg: not ours to read
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished == self._msg.FINISHED_SUCCESSFULLY:
            self.finished.append(time.perf_counter())

    def wait(self, page, since: float, timeout: float = 30_000) -> float:
        """The time the first whole run ending after ``since`` ended (waits for it; Playwright delivers the
        websocket's frames while the page waits)."""
        deadline = time.perf_counter() + timeout / 1000
        while not any(t >= since for t in self.finished):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no run of the app ended within {timeout / 1000:.0f} s")
            page.wait_for_timeout(5)
        return min(t for t in self.finished if t >= since)

    def settle(self, page, since: float, timeout: float = 30_000) -> None:
        """If the app has sent anything since ``since`` (a run started: a click that only shows another tab of
        the page sends nothing), wait for that run to end."""
        if any(t >= since for t in self.heard):
            self.wait(page, since, timeout)


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current run (its status widget disappears)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)


def sign_in(page, url: str, name: str) -> None:
    page.goto(url)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Continue").click()
    page.get_by_text(f"You are: {name}").wait_for(timeout=30_000)
    wait_idle(page)


def go(page, title: str) -> None:
    """Click a page in the sidebar navigation."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_idle(page)
