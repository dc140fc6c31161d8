"""PDF copies of the documents, made by LibreOffice when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StratError

if TYPE_CHECKING:
    pass


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


def to_pdf(paths: Sequence[Path], out_dir: Path, *, timeout: float = 180) -> list[Path]:
    """Convert .docx files to PDF with LibreOffice, in a throwaway profile so a LibreOffice the
    user has open does not block it."""
    soffice = find_soffice()
    if soffice is None:
        raise StratError(
            "--pdf needs LibreOffice, which is not installed (or not on PATH); the .docx files "
            "were written"
        )
    out: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="strat-lo-") as profile:
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *[str(p) for p in paths],
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise StratError(f"LibreOffice could not convert the documents ({exc})") from None
    for p in paths:
        pdf = out_dir / (p.stem + ".pdf")
        if not pdf.is_file():
            raise StratError(f"LibreOffice did not produce {pdf.name}; the .docx is at {p}")
        if os.name == "posix":
            os.chmod(pdf, 0o600)
        out.append(pdf)
    return out
