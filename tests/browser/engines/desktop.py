"""What a browser needs around it on a machine with no screen and no sound card: a virtual
screen (Xvfb) and a sound server that plays into nothing (PulseAudio with a null sink)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest


def require(path: str, package: str) -> str:
    """The program at ``path``; skip the test where it is missing, fail loudly on CI (CI=true),
    where a missing browser must never pass as a skipped test."""
    found = shutil.which(path)
    if found:
        return found
    message = f"{path} is missing: apt-get install {package} (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def wait_for(condition, timeout_s: float, what: str):
    """Poll ``condition`` until it returns something true; return that."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout_s} s")
        time.sleep(0.05)


def stop(proc: subprocess.Popen, log=None) -> None:
    """End a process this test started (and close its log)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    if log is not None:
        log.close()


class Xvfb:
    """A virtual screen; ``display`` is its name (``:N``), chosen by Xvfb itself."""

    def __init__(self, tmp: Path):
        xvfb = require("Xvfb", "xvfb")
        read, write = os.pipe()
        self.log = open(tmp / "xvfb.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [xvfb, "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # written once the screen accepts clients
        if not number:
            self.stop()
            raise RuntimeError("Xvfb did not start: " + (tmp / "xvfb.log").read_text())
        self.display = f":{number}"

    def stop(self) -> None:
        stop(self.proc, self.log)


class NullSink:
    """A PulseAudio server of its own whose only output is a null sink: a browser's audio
    clock runs as with speakers, and nothing is heard. ``server`` is its PULSE_SERVER."""

    def __init__(self, tmp: Path):
        pulseaudio = require("pulseaudio", "pulseaudio")
        runtime = tmp / "pulse"
        runtime.mkdir(mode=0o700)
        socket_path = runtime / "native"
        self.server = f"unix:{socket_path}"
        env = {
            **os.environ,
            "HOME": str(runtime),  # its cookie and state stay in here
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_CONFIG_HOME": str(runtime),
        }
        self.log = open(tmp / "pulseaudio.log", "w")  # noqa: SIM115
        # -n: none of the system's configuration (no sound card is looked for); root may run
        # it in user mode, with a warning (CI runs as root)
        self.proc = subprocess.Popen(
            [
                pulseaudio,
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--use-pid-file=no",
                "-n",
                "--load=module-null-sink sink_name=null",
                f"--load=module-native-protocol-unix auth-anonymous=1 socket={socket_path}",
                "--log-target=stderr",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        wait_for(
            lambda: socket_path.exists() or self.proc.poll() is not None, 20, "PulseAudio's socket"
        )
        if self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("PulseAudio stopped: " + (tmp / "pulseaudio.log").read_text())

    def stop(self) -> None:
        stop(self.proc, self.log)
