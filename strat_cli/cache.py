"""Where strat keeps what it can always recompute: compiled templates and bank holidays, and
how an entry is named (by what made it) and written.

Set once by the command line to `<store>/cache`; None (the default, and in library use) means
nothing is kept. A module of its own so that setting it imports nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

folder: Path | None = None


def use(path: Path | None) -> None:
    global folder
    folder = path


# --- keys: an entry is named by what it was made from, so anything else simply misses ---------


@functools.cache
def code_key(name: str, *, files: tuple[str, ...]) -> str:
    """What made a cache's entries, as text: the cache's name (with its format), strat's and
    Python's versions, and the time and size of each file that shapes them, named by package
    ("strat_cli/views.py", "jinja2/__init__.py"). Files are found without importing anything
    (a stat is cheap; an import or importlib.metadata is not). One that is not there is named
    as missing, so a moved module still gives a key and a test can catch it. Kept per process:
    a process runs the code it started with."""
    import sys

    from . import __version__

    parts = [name, __version__, sys.version]
    for label in files:
        path = _file(label)
        try:
            st = path.stat() if path is not None else None
        except OSError:
            st = None
        parts.append(f"{label}:{st.st_mtime_ns}:{st.st_size}" if st else f"{label}:missing")
    return "|".join(parts)


def _file(label: str) -> Path | None:
    """Where "package/file" is, without importing the package (find_spec of a top-level name
    only looks)."""
    from importlib.util import find_spec

    top, _, rest = label.partition("/")
    try:
        spec = find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / rest


def entry_name(data: bytes, *codes: str) -> str:
    """The file name of the entry made from `data` by the code `codes` name (code_key)."""
    import hashlib

    digest = hashlib.sha256()
    for code in codes:
        digest.update(code.encode("utf-8") + b"\0")
    digest.update(data)
    return digest.hexdigest()
