"""Writing a file whole or not at all: one helper for the record, the index's neighbours and the
caches, so every write that replaces a file does it the same way.

A temporary file in a given folder (on the same disk), written, then renamed over the target in
one step: a reader sees the old file or the new one, never half of either. `durable` adds the
fsyncs a record needs (the data, then the folder's entry) and a cache can do without.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

POSIX = os.name == "posix"


def replace_whole(path: Path, data: bytes, *, tmp_dir: Path | None = None, durable: bool) -> None:
    """Write `data` to `path` through a 0600 temporary file in `tmp_dir` (default: beside it).
    Raises OSError as it comes; the temporary file never outlives a failure."""
    fd, tmp = tempfile.mkstemp(dir=tmp_dir or path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if POSIX:
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable and POSIX:  # the rename itself; a folder cannot be opened on Windows
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def private_folder(folder: Path) -> None:
    """Create `folder` and any missing parents 0700 whatever the umask. A folder that already
    exists is never chmod-ed: strat did not make it (it may be shared, like /tmp)."""
    missing = []
    here = folder
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:  # made by another process at the same moment
            continue
        if POSIX:
            os.chmod(new, 0o700)


def keep(path: Path, data: bytes) -> None:
    """A cache entry: whole or not at all, no fsync (a lost entry is only recomputed), in a
    private folder (caches hold code strat runs); a cache that cannot be written is not kept."""
    try:
        private_folder(path.parent)
        replace_whole(path, data, durable=False)
    except OSError:
        return
