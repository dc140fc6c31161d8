"""The Word templates: which one a document uses (a council's copy, else the shipped one), the
list, and copies for a council to edit."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import StratError, TemplateError
from .resources import DOCUMENTS, check_doc, shipped_dir
from .settings import Settings

# --- finding templates ---------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateInfo:
    doc: str
    path: Path
    source: str  # "shipped" or "local"


def template_path(doc: str, settings: Settings) -> TemplateInfo:
    """The council's copy when its folder has one of that name, else the shipped one."""
    name = f"{check_doc(doc)}.docx"
    if settings.templates_dir is not None:
        local = settings.templates_dir / name
        if local.is_file():
            return TemplateInfo(doc, local, "local")
    shipped = shipped_dir("templates") / name
    if not shipped.is_file():
        raise TemplateError(f"{shipped}: the shipped template is missing; reinstall strat")
    return TemplateInfo(doc, shipped, "shipped")


def list_templates(settings: Settings) -> list[TemplateInfo]:
    return [template_path(doc, settings) for doc in DOCUMENTS]


def copy_templates(dest: Path, *, force: bool = False) -> list[Path]:
    """Copy the shipped templates out for a council to edit; never overwrite without `force`."""
    sources = [shipped_dir("templates") / f"{doc}.docx" for doc in DOCUMENTS]
    targets = [dest / s.name for s in sources]
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        raise StratError(
            f"{existing[0]} already exists; use --force to replace the copies in {dest}"
        )
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for src, target in zip(sources, targets, strict=True):
            if target.is_symlink():  # --force replaces the link itself, never writes through it
                target.unlink()
            shutil.copyfile(src, target, follow_symlinks=False)
    except OSError as exc:
        raise StratError(f"{dest}: cannot copy templates ({exc.strerror})") from None
    return targets
