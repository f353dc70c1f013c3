"""Helpers for tests and benchmarks that drive the real server (wsgi.py on eventlet) from
Chromium: a server process on a free port with its own database, and the pages' first steps."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
PASSWORD = "browser-test-password"


def wait_until(condition, timeout_s: float = 5.0, what: str = "condition") -> float:
    """Wait for ``condition``; return how long it took."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout_s, f"{what}: not within {timeout_s} s"
        time.sleep(0.05)
    return time.monotonic() - start


def collect_errors(*pages) -> list[str]:
    """Script errors and console errors of the pages, gathered as they happen."""
    errors: list[str] = []
    for page in pages:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    return errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One real server process with its own database; users made through the CLI."""

    def __init__(self, tmp: Path, env_extra: dict | None = None):
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'server.db'}",
            "SECRET_KEY": "browser-test-secret",
            # the server's own data key (not instance/'s), for tests that write rows directly
            "DATA_KEYS": Fernet.generate_key().decode(),
            "PASSWORD_HASH_METHOD": "scrypt:16384:8:1",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            **(env_extra or {}),
        }
        self.proc = None
        self.flask("db", "upgrade")

    def flask(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def create_user(self, email: str, role: str) -> str:
        self.flask("create-user", email, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        return email

    def start(self) -> Server:
        self.log = open(self.tmp / "server.log", "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "wsgi.py"], cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                assert self.proc.poll() is None, (self.tmp / "server.log").read_text()
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a crash or a lost machine."""
        self.proc.kill()
        self.proc.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self.log.close()


def login(page, server: Server, email: str) -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def open_panel(page, server: Server, email: str, pseudonym: str = "Client") -> None:
    """As a new therapist: log in, add a client, start a session; the panel is connected."""
    server.create_user(email, "therapist")
    login(page, server, email)
    page.fill("input[name=pseudonym]", pseudonym)
    page.click("text=Add client")
    page.click("[data-testid=start-session]")
    page.wait_for_selector("#connection[data-status=connected]")


def make_link(panel) -> str:
    """Press the panel's button for a new join link and return it."""
    old = panel.input_value("#link-url")
    panel.click("#make-link")
    panel.wait_for_selector("#link-url", state="visible")
    deadline = time.monotonic() + 5
    while panel.input_value("#link-url") in ("", old):
        assert time.monotonic() < deadline, "no new join link"
        time.sleep(0.02)
    return panel.input_value("#link-url")


def follow_link(page, link: str) -> None:
    """Open a join link and press its button, as a client does (opening alone uses nothing)."""
    page.goto(link)
    page.click("#join")
    page.wait_for_url("**/room")


def open_room(panel, client, server: Server, email: str, client_server: Server | None = None):
    """A session with the therapist's panel and the client's page connected (the client's
    page may be served by another server process of the same deployment)."""
    open_panel(panel, server, email)
    link = make_link(panel)
    if client_server is not None:
        link = link.replace(server.url, client_server.url)
    follow_link(client, link)
    client.wait_for_selector("#connection[data-status=connected]", state="attached")
    pass_checks(client)


SCREENING_QUESTIONS = ("seizures", "migraine", "vestibular", "eye")


def pass_checks(page) -> None:
    """Go through the client's checks before any stimulation as a client with nothing to
    report: no to each safety question (when asked), the sound check skipped, no video; after
    a reload, once they were done in this session, the one tap back in."""
    page.wait_for_selector("#checks[data-step]")
    if page.get_attribute("#checks", "data-step") == "resume":
        page.click("#checks [data-resume=continue]")
        page.wait_for_selector("#checks", state="hidden")
        return
    if page.get_attribute("#checks", "data-step") == "screening":
        for question in SCREENING_QUESTIONS:
            page.check(f"#checks input[name={question}][value=no]")
        page.click("#checks [data-step=screening] button[type=submit]")
    page.click("#checks [data-sound=skip]")
    page.wait_for_selector("#checks[data-step=camera], #checks[data-step=done]", state="attached")
    if page.get_attribute("#checks", "data-step") == "camera":
        page.click("#checks [data-camera=without]")
    page.wait_for_selector("#checks", state="hidden")


# Reads the client's canvas right after a frame is drawn: where the target is (CSS pixels).
SAMPLE_JS = """
async ([count, everyMs, colour]) => {
  const canvas = document.getElementById(%r);
  const ctx = canvas.getContext("2d");
  const dpr = canvas.width / canvas.getBoundingClientRect().width;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const t = await frame();
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let sx = 0, sy = 0, n = 0;
    for (let p = 0, px = 0; p < d.length; p += 4, px += 1) {
      if (Math.abs(d[p] - colour[0]) < 24 && Math.abs(d[p + 1] - colour[1]) < 24
          && Math.abs(d[p + 2] - colour[2]) < 24) {
        sx += px %% canvas.width; sy += Math.floor(px / canvas.width); n += 1;
      }
    }
    out.push({ t, x: n ? sx / n / dpr : null, y: n ? sy / n / dpr : null, n,
               w: canvas.width / dpr, h: canvas.height / dpr });
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return out;
}
"""
TARGET_RGB = [0x4F, 0xC3, 0xF7]  # the default target colour, #4fc3f7


def sample(page, canvas_id: str, count: int = 60, every_ms: int = 25) -> list[dict]:
    """Where the target is drawn on ``count`` frames of the page's canvas, ``every_ms`` apart."""
    samples = page.evaluate(SAMPLE_JS % canvas_id, [count, every_ms, TARGET_RGB])
    assert all(s["n"] > 0 for s in samples), "the target was not visible on every frame"
    return samples


def spread(samples: list[dict], axis: str) -> float:
    """How far the target went along ``axis`` over the samples (CSS pixels)."""
    values = [s[axis] for s in samples]
    return max(values) - min(values)
