"""PDF copies of the documents, made by LibreOffice when it is installed.

LibreOffice's start-up is most of a PDF's time, so it is started ahead, while the documents
render (`Conversion`): it is given the paths each document will have in a private staging
folder, where a document appears whole (renamed into place), and only after it was written to
its real place. A document LibreOffice reaches before it is there is converted again once all
are. It runs as a plain one-shot conversion, so it ends by itself: a strat killed meanwhile
leaves no LibreOffice waiting. It writes only into the staging folder; each PDF is then moved
whole into the output folder, so a failure on either side leaves no half-written PDF there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import StratError
from .files import private_folder, replace_whole

POSIX = os.name == "posix"
STAGING_PREFIX = ".pdf-"
# A staging folder older than this belongs to a strat that was killed (LibreOffice is given at
# most TIMEOUT): it is removed by the next PDF render.
TIMEOUT = 180.0
_STALE = 2 * TIMEOUT

# --- PDF -----------------------------------------------------------------------------------


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ):
        if os.path.exists(candidate):
            return candidate
    return None


def _needs_libreoffice() -> StratError:
    return StratError(
        "--pdf needs LibreOffice, which is not installed (or not on PATH); the .docx files "
        "were written"
    )


class Conversion:
    """One PDF conversion, started before the documents exist (see the module's docstring).

    `stage` each document's bytes as it is written, then `finish`; `close` (also called by
    `finish`) stops LibreOffice if it still runs and removes the staging and profile folders.
    On Windows LibreOffice starts in `finish`, once every document is staged."""

    def __init__(self, docs: Sequence[str], tmp_dir: Path, *, timeout: float = TIMEOUT) -> None:
        soffice = find_soffice()
        if soffice is None:
            raise _needs_libreoffice()
        self.soffice = soffice
        # Staged as <doc>.docx (minutes.docx): the real names need the record, not loaded yet;
        # LibreOffice's PDF does not depend on the file's name.
        self.names = [f"{doc}.docx" for doc in docs]
        self.deadline = time.monotonic() + timeout
        try:
            private_folder(tmp_dir)
            _remove_stale(tmp_dir)
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=tmp_dir))
        except OSError as exc:
            raise StratError(f"{tmp_dir}: cannot create the folder ({exc.strerror})") from None
        # A throwaway profile, so a LibreOffice the user has open does not block it.
        self.profile = Path(tempfile.mkdtemp(prefix="strat-lo-"))
        self.proc: subprocess.Popen[bytes] | None = None
        if POSIX:
            self.proc = self._start(self.names)

    def _start(self, names: Sequence[str]) -> subprocess.Popen[bytes]:
        cmd = [
            self.soffice,
            f"-env:UserInstallation={self.profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(self.staging / "pdf"),
            *[str(self.staging / n) for n in names],
        ]
        try:
            return subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=POSIX,  # its own group: `close` stops all its processes
            )
        except OSError as exc:
            self.close()
            raise StratError(f"LibreOffice could not convert the documents ({exc})") from None

    def stage(self, doc: str, data: bytes) -> None:
        """A document for LibreOffice: appears whole, or not at all."""
        replace_whole(self.staging / f"{doc}.docx", data, durable=False)

    def _wait(self, proc: subprocess.Popen[bytes]) -> None:
        try:
            proc.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.close()
            raise StratError(
                "LibreOffice could not convert the documents (it took too long)"
            ) from None

    def finish(self, targets: Sequence[Path], tmp_dir: Path) -> list[Path]:
        """The PDFs, moved whole beside each document in `targets` (the .docx paths, in the
        order of the documents); one clear line when one is missing."""
        try:
            made = self.staging / "pdf"
            if self.proc is not None:
                self._wait(self.proc)
                if self.proc.returncode != 0:  # stopped part-way: nothing it wrote is trusted
                    shutil.rmtree(made, ignore_errors=True)
            missing = [n for n in self.names if not (made / f"{Path(n).stem}.pdf").is_file()]
            if missing:  # reached before it was staged (or not started yet: Windows)
                self.proc = self._start(missing)
                self._wait(self.proc)
                if self.proc.returncode != 0:
                    raise StratError(
                        "LibreOffice could not convert the documents (it stopped with code "
                        f"{self.proc.returncode}); the .docx files were written"
                    )
            out = []
            for name, docx in zip(self.names, targets, strict=True):
                pdf = docx.with_suffix(".pdf")
                try:
                    data = (made / f"{Path(name).stem}.pdf").read_bytes()
                except OSError:
                    raise StratError(
                        f"LibreOffice did not produce {pdf.name}; the .docx is at {docx}"
                    ) from None
                try:
                    replace_whole(pdf, data, tmp_dir=tmp_dir, durable=True)
                except OSError:  # another disk: written whole beside it instead
                    try:
                        replace_whole(pdf, data, durable=True)
                    except OSError as exc:
                        raise StratError(f"{pdf}: cannot write ({exc.strerror})") from None
                out.append(pdf)
            return out
        finally:
            self.close()

    def close(self) -> None:
        """Stop LibreOffice if it still runs and remove what this conversion made."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                if POSIX:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self.profile, ignore_errors=True)


def _remove_stale(tmp_dir: Path) -> None:
    """Staging folders left by a strat killed during an earlier PDF render."""
    now = time.time()
    for left in tmp_dir.glob(f"{STAGING_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - left.stat().st_mtime > _STALE:
                shutil.rmtree(left, ignore_errors=True)
