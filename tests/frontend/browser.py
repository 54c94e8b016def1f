"""Headless Debian Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe): no WebDriver,
no browser download, no websocket library.

Chromium reads JSON commands, each ended by a NUL byte, from its file descriptor 3 and writes replies and
events to descriptor 4. Waiting is always for a condition in the page (polled inside the page, with a
deadline), never a fixed sleep.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe")


def chromium() -> str | None:
    """Debian's chromium (installed by .ci/run), or another Chromium on PATH."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    pass


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """One Chromium process with a fresh profile; pages are DevTools sessions on it."""

    def __init__(self, exe: str, profile: Path, width: int = 1400, height: int = 1000):
        self.width, self.height = width, height
        cmd_read, self._cmd_write = os.pipe()
        self._res_read, res_write = os.pipe()
        # bash puts the two pipe ends on descriptors 3 and 4, where Chromium expects them; moved above 9 first
        # so that neither is 3 or 4 already.
        cmd_read, res_write = (_above_nine(fd) for fd in (cmd_read, res_write))
        script = f'exec "$0" "$@" 3<&{cmd_read} 4>&{res_write} {cmd_read}<&- {res_write}>&-'
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", script, exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "about:blank"],
            pass_fds=(cmd_read, res_write), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(cmd_read)
        os.close(res_write)
        self._buffer = b""
        self._next_id = 0
        self.requests: list[str] = []  # every URL a page asked for (Network.requestWillBeSent)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._res_read], [], [], left)
            if ready:
                chunk = os.read(self._res_read, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium closed its pipe (exit status {self.process.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        self._next_id += 1
        request: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            request["sessionId"] = session
        os.write(self._cmd_write, json.dumps(request).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height,
                                                         "deviceScaleFactor": 1, "mobile": False}, session)
        self.send("Network.enable", {}, session)
        return Page(self, session)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._cmd_write)
        os.close(self._res_read)


class Page:
    def __init__(self, browser: Browser, session: str):
        self.browser, self.session = browser, session

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        result = self.browser.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                        "returnByValue": True}, self.session, timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout: float = 20.0) -> Any:
        """The first truthy value of the JavaScript expression condition, polled in the page until timeout."""
        deadline = time.monotonic() + timeout
        poll = ("new Promise((resolve, reject) => { const end = Date.now() + %d; (function poll() {"
                " let value; try { value = (%s); } catch (e) { value = null; }"
                " if (value) resolve(value); else if (Date.now() > end) reject(new Error('not yet'));"
                " else setTimeout(poll, 50); })(); })")
        last = ""
        while time.monotonic() < deadline:
            left_ms = max(100, int((deadline - time.monotonic()) * 1000))
            try:
                return self.evaluate(poll % (left_ms, condition), timeout=left_ms / 1000 + 5)
            except BrowserError as exc:  # the page navigated while polling, or the deadline passed
                last = str(exc)
        raise BrowserError(f"timed out waiting for {condition!r}: {last}")

    def goto(self, url: str, timeout: float = 20.0) -> None:
        self.browser.send("Page.navigate", {"url": url}, self.session)
        self.wait_for(f"document.readyState === 'complete' && location.href === {json.dumps(url)}", timeout)

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """A PNG of the whole page (as tall as its content), or of the window's first screen."""
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)") if full_page else self.browser.height
        shot = self.browser.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": full_page,
            "clip": {"x": 0, "y": 0, "width": self.browser.width, "height": height, "scale": 1}}, self.session)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
