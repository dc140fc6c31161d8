"""Find the shipped agendas and templates, installed (wheel) or from a source checkout; the
documents strat makes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

DOC_TITLES = {
    "decision-sheet": "Strategy Discussion Decision Sheet",
    "minutes": "Strategy Discussion Minutes",
    "summary": "Strategy Discussion Action Summary",
}
# The documents strat makes, in the order they are listed, rendered and attached: one list for
# render, email and the templates. Here, with no import of the model, so `render --pdf` can
# start LibreOffice before strat's own heavier start-up.
DOCUMENTS = tuple(DOC_TITLES)
# What --doc takes, for the commands' help.
DOC_CHOICES = f"{', '.join(DOCUMENTS)} or all"


def check_doc(doc: str) -> str:
    if doc not in DOCUMENTS:
        from .errors import TemplateError  # here: `strat --help` reads DOC_CHOICES from this module

        raise TemplateError(f"no document {doc!r} (choose from {', '.join(DOCUMENTS)})")
    return doc


def expand_docs(docs: Iterable[str]) -> list[str]:
    """The documents named ('all': every one), each once, in the order a reader wants them
    (DOCUMENTS): what render writes and email attaches."""
    chosen = {d for doc in docs for d in (DOCUMENTS if doc == "all" else (check_doc(doc),))}
    return [d for d in DOCUMENTS if d in chosen]


def _package() -> Path:
    """This package's folder, resolved when first asked (not at import: `strat --help` reads
    DOC_CHOICES from here, and resolving a path costs a stat per folder)."""
    return Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """`agendas` or `templates`: inside the wheel under _data/, else beside the package."""
    installed = _package() / "_data" / name
    if installed.is_dir():
        return installed
    return _package().parent / name


def migrations_dir() -> Path:
    """The team store's schema migrations (`NNNN_name.sql`), shipped inside the package."""
    return _package() / "sql"
