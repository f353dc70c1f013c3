"""Static files for slow links: one version in every static URL, so that a browser keeps them
for a year and asks again only after they change, and text files served compressed.

``url_for('static', filename=...)`` builds ``/static/v/<version>/<filename>``, where the
version is a hash of everything under static/. The ES modules import each other by relative
path, so every module a page loads carries its entry's version without a build step.
``/static/<filename>`` still serves, revalidated each time (``no-cache``).

Only static files are compressed, never pages nor JSON answers: a compressed response that
holds a secret (the CSRF token, clinical text) beside text an attacker chose lets the
attacker read the secret from its size (BREACH; docs/security.md).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import time
from pathlib import Path

from flask import Flask, Response, current_app, request

from .extensions import compress

VERSION_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSED_TYPES = [
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
    "text/plain",
]
# `import ... from "./x.js"` and `import "./x.js"`: a module's static imports (relative ones).
STATIC_IMPORT = re.compile(r"""\b(?:from|import)\s*["'](\.{1,2}/[^"']+)["']""")


class StaticTree:
    """The static folder's version (a hash of every file's path and content) and the graph of
    its ES modules. Frozen: computed once. Otherwise looked at again at most every RECHECK_S
    and computed again when a file's size or modification time changed (a file edited while
    the development server runs)."""

    RECHECK_S = 1.0

    def __init__(self, folder: str, frozen: bool):
        self.folder = Path(folder)
        self.frozen = frozen
        self._stamp: tuple | None = None
        self._checked = 0.0
        self._version = ""
        self._imports: dict[str, list[str]] = {}

    def _refresh(self) -> None:
        self._checked = time.monotonic()
        files = sorted(p for p in self.folder.rglob("*") if p.is_file())
        stamp = tuple((str(p), s.st_mtime_ns, s.st_size) for p in files for s in [p.stat()])
        if stamp == self._stamp:
            return
        digest = hashlib.sha256()
        imports = {}
        for path in files:
            name = path.relative_to(self.folder).as_posix()
            data = path.read_bytes()
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
            if name.endswith(".js") and not name.startswith("js/vendor/"):
                base = posixpath.dirname(name)
                found = STATIC_IMPORT.findall(data.decode("utf-8", "replace"))
                imports[name] = [posixpath.normpath(posixpath.join(base, f)) for f in found]
        self._version = digest.hexdigest()[:VERSION_LENGTH]
        self._imports = imports
        self._stamp = stamp

    def version(self) -> str:
        due = not self.frozen and time.monotonic() - self._checked >= self.RECHECK_S
        if self._stamp is None or due:
            self._refresh()
        return self._version

    def modules(self, entry: str) -> list[str]:
        """Every module ``entry`` (a path under static/, e.g. "js/client.js") imports, directly
        or not, in a stable order: what the page can ask for at once (modulepreload) instead of
        level after level of imports, a round trip each."""
        self.version()
        seen: list[str] = []
        pending = [entry]
        while pending:
            name = pending.pop(0)
            for imported in self._imports.get(name, []):
                if imported not in seen and imported != entry:
                    seen.append(imported)
                    pending.append(imported)
        return seen


def tree() -> StaticTree:
    return current_app.extensions["static_tree"]


def add_version(endpoint: str, values: dict) -> None:
    """url_for's defaults: every static URL carries the static folder's version."""
    if endpoint == "static" and "version" not in values:
        values["version"] = tree().version()


def serve_static(filename: str, version: str | None = None) -> Response:
    """A static file; kept a year when asked for under the current version. Another version
    (a page made before a deploy) still gets the file, revalidated like an unversioned one."""
    response = current_app.send_static_file(filename)
    if response.direct_passthrough:
        # The whole file in memory (static files are small) and closed at once: compressed in
        # one piece, with its length, by any of the browser's encodings.
        file = response.response
        try:
            body = b"".join(file)
        finally:
            file.close()
        response.direct_passthrough = False
        response.set_data(body)
    if version is not None and version == tree().version() and response.status_code == 200:
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def compress_static(response: Response) -> Response:
    """Static text files compressed for browsers that accept it (Flask-Compress); nothing else.
    A part of a file (a Range request's 206) stays as it is."""
    if request.endpoint != "static":
        return response
    if response.status_code == 206:
        response.vary.add("Accept-Encoding")
        return response
    return compress.after_request(response)


def module_preloads(entry: str) -> list[str]:
    """For templates: the static paths of the modules ``entry`` imports (see StaticTree)."""
    return tree().modules(entry)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)  # compress_static decides what
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    compress.init_app(app)
    frozen = app.config["TELEHEALTH_ENV"] == "production"
    app.extensions["static_tree"] = StaticTree(app.static_folder, frozen=frozen)
    app.view_functions["static"] = serve_static
    app.add_url_rule(
        f"{app.static_url_path}/v/<string(length={VERSION_LENGTH}):version>/<path:filename>",
        endpoint="static",
    )
    app.url_defaults(add_version)
    app.after_request(compress_static)
    app.jinja_env.globals.update(module_preloads=module_preloads)
