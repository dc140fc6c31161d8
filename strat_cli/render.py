"""Word documents from the record: the Decision Sheet, the minutes and the action summary.

Templates are .docx files with Jinja tags (docxtpl). Shipped ones live in `templates/`; a council's
folder (settings.templates_dir) overrides them one by one by file name. Every template is checked
on load against the view (`views.build_view`), so a mistyped or split tag is reported by template
and tag before anything is written. User text is only ever data in the context, with
autoescaping on, so `{{ }}` or `<` typed by a person is printed, never evaluated or lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .agenda import Agenda
from .errors import StratError
from .model import CONTACT_FIELDS, LONDON, NOT_CONTENT, Meeting, meeting_fields
from .settings import Settings
from .views import DOC_TITLES, View, build_view, summary_text

if TYPE_CHECKING:
    from .stores import RecordStore

from . import files
from . import pdf as pdf_files
from .cache import entry_name
from .resources import check_doc, expand_docs
from .template_check import checked_code_key, jinja_env, load_template
from .templates import template_path

__all__ = [
    "document_filename",
    "print_summary",
    "record_hash",
    "render_documents",
    "render_stored",
    "summary_text",
]

# Parts of the record that change without changing what a document says.
_NOT_CONTENT = set(meeting_fields(NOT_CONTENT))
# Participants' contact details are how the record reaches them, not what it says: no view
# (so no template, shipped or a council's) can show them. Correcting an address after the mail
# server refused it must not make the documents "changed" (see mail.received_current).
_CONTACT = CONTACT_FIELDS


# --- names ---------------------------------------------------------------------------------


def document_filename(meeting: Meeting, doc: str, family: bool = False) -> str:
    """Reference, document and date, e.g. SD-2026-0001_minutes_2026-11-19.docx: never a name."""
    day = meeting.started_at.astimezone(LONDON).date().isoformat()
    return f"{meeting.id}_{check_doc(doc)}{'_family' if family else ''}_{day}.docx"


def record_hash(meeting: Meeting) -> str:
    """sha256 of what the documents are made from, so 'changed since the last render' shows.
    Circulation, audit, render bookkeeping, save times, interview progress and participants'
    email addresses and phone numbers (no document shows them) are left out."""
    data = meeting.model_dump(mode="json", exclude=_NOT_CONTENT)
    for person in data["participants"]:
        for key in _CONTACT:
            person.pop(key, None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --- rendering -----------------------------------------------------------------------------


_DOCXTPL_ESCAPES = re.compile(r"\{_[{%]|[}%]_\}")


def _keep_literal(value: Any) -> Any:
    """docxtpl turns `{_{`, `}_}`, `{_%`, `%_}` in its output into `{{`, `}}`, `{%`, `%}`
    (its own escape for literal tags). Typed by a person they must stay as typed: write the
    underscore as an XML character reference, which that replacement cannot match."""
    from markupsafe import Markup, escape  # once, not at every value (~10,000 in a view)

    def keep(value: Any) -> Any:
        if isinstance(value, str):
            if not _DOCXTPL_ESCAPES.search(value):
                return value
            return Markup(str(escape(value)).replace("_", "&#95;"))
        if isinstance(value, dict):
            return {k: keep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keep(v) for v in value]
        return value

    return keep(value)


def _fixed_zip(data: bytes) -> bytes:
    """The same package with every entry's time fixed (python-docx stamps each one with the
    clock), in the same order and compression: equal contents give equal bytes."""
    import zipfile

    from .docx_fast import write_package

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return write_package((info.filename, src.read(info)) for info in src.infolist())


def render_docx(
    tpl: Any, view: View, name: str, cache: Path | None = None, *, stamp: datetime | None = None
) -> bytes:
    """Render a checked template with a cleaned view; returns the .docx bytes.

    The bytes depend only on the template and the view: the package's entry times are fixed
    and its core properties are set from `stamp` (the meeting's start; created and modified),
    not left to the template or the clock, so rendering the same record twice gives the same
    file and its sha256 (kept in the circulation log) means something."""
    import jinja2

    try:
        tpl.render(_keep_literal(view), jinja_env=jinja_env(cache), autoescape=True)
        props = tpl.docx.core_properties
        when = (stamp or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
        props.created = props.modified = when.replace(microsecond=0)
        props.last_modified_by = "strat"
        props.revision = 1
        out = io.BytesIO()
        tpl.save(out)
    except jinja2.TemplateError as exc:
        from .docx_fast import template_error

        raise template_error(exc, name) from None
    return _fixed_zip(out.getvalue())


def render_template(
    path: Path, view: View, name: str, cache: Path | None, *, stamp: datetime | None = None
) -> bytes:
    """One document's bytes, the same docxtpl gives: from the template compiled at its first
    render (docx_fast), so docxtpl and python-docx are only imported for a new or changed
    template; that render goes through docxtpl and compiles it for the next."""
    from . import docx_fast

    entry = None
    data: bytes | None = None
    if cache is not None:
        with contextlib.suppress(OSError):
            data = path.read_bytes()
    if data is not None and cache is not None:
        entry = cache / "docx" / entry_name(data, docx_fast.code_key(), checked_code_key())
        compiled = docx_fast.load(entry)
        if compiled is not None:
            env = jinja_env(cache)
            return docx_fast.render_compiled(compiled, _keep_literal(view), env, name, stamp)
    tpl = load_template(path, name, cache)
    compiled = docx_fast.compile_template(tpl) if entry is not None else None
    out = render_docx(tpl, view, name, cache, stamp=stamp)
    if compiled is not None and entry is not None:
        with contextlib.suppress(OSError):
            if path.read_bytes() == data:  # the file docxtpl read is the one the key names
                ready = docx_fast.finish(compiled, out, stamp)
                if ready is not None:
                    files.keep(entry, ready)
    return out


NO_DOCUMENT = "no document was written"  # a wrong --out is refused before any is rendered


def render_documents(
    meeting: Meeting,
    agenda: Agenda,
    settings: Settings,
    docs: Sequence[str],
    out_dir: Path,
    *,
    family: bool = False,
    on_doc: Callable[[str], None] | None = None,
    on_written: Callable[[str, bytes], None] | None = None,
) -> list[Path]:
    """Write each document as .docx in `out_dir` (private to this user); returns the paths.
    `on_written(doc, data)` follows each document written whole (the PDF conversion's copy).

    The view is built once: the documents differ only in their template and title. A folder
    strat makes is 0700; each document is written whole in the store's private `tmp` folder and
    renamed into place, so a render killed half-way leaves no copy in `out_dir` (and the
    leftovers of an earlier killed render of these documents are removed first)."""
    from .files import private_folder
    from .store import atomic_write, export_place

    wanted = expand_docs(docs)
    tmp_dir = settings.store / "tmp"
    export_place(out_dir, folder=True, consequence=NO_DOCUMENT)
    try:
        private_folder(out_dir)
        private_folder(tmp_dir)
    except OSError as exc:
        raise StratError(f"{out_dir}: cannot create the folder ({exc.strerror})") from None
    for doc in wanted:
        name = document_filename(meeting, doc, family)
        for folder in (tmp_dir, out_dir):  # only names strat's own temporary files have
            for left in folder.glob(f".{glob_escape(name)}.*.tmp"):
                with contextlib.suppress(OSError):
                    left.unlink()
    paths = []
    cache = settings.store / "cache"
    base = build_view(meeting, agenda, settings, family=family)  # the same for every document
    for doc in wanted:
        if on_doc:
            on_doc(doc)
        info = template_path(doc, settings)
        label = f"{info.path.name} ({info.source}, {info.path.parent})"
        view = base | {"document_title": DOC_TITLES.get(doc, base["document_title"])}
        data = render_template(info.path, view, label, cache, stamp=meeting.started_at)
        path = out_dir / document_filename(meeting, doc, family)
        atomic_write(path, data, tmp_dir=tmp_dir, export="the document was not written")
        if on_written:
            on_written(doc, data)
        paths.append(path)
    return paths


# --- rendering a stored record, with its bookkeeping -------------------------------------


def render_stored(
    store: RecordStore,
    settings: Settings,
    meeting_id: str,
    docs: Sequence[str],
    out_dir: Path,
    *,
    family: bool = False,
    pdf: bool = False,
    on_doc: Callable[[str], None] | None = None,
    conversion: pdf_files.Conversion | None = None,
) -> list[Path]:
    """Render a stored meeting (authorised ones too) under its lock, and record it in two steps:
    the intent ("rendering", naming the files and folder) is saved before any document is
    written, so a render killed half-way still shows in the audit trail; then what was
    rendered: `meeting.rendered[doc]` (the record's hash) and an audit entry per document.

    With `pdf`, `conversion` is LibreOffice already started for `docs` (the CLI starts it
    before importing this module), else it starts here; it is closed here either way."""
    from .agenda import get_agenda
    from .store import export_place

    wanted = expand_docs(docs)
    export_place(out_dir, folder=True, consequence=NO_DOCUMENT)  # before the render is audited
    if pdf and conversion is None:  # LibreOffice starts now, overlapping the render (pdf.py)
        conversion = pdf_files.Conversion(wanted, settings.store / "tmp")
    try:
        with store.edit(meeting_id, allow_locked=True) as meeting:
            agenda = get_agenda(meeting.agenda, settings.extra_agenda_dirs)
            current = record_hash(meeting)
            names = [document_filename(meeting, doc, family) for doc in wanted]
            meeting.log("rendering", f"{', '.join(names)} to {out_dir}", who=settings.actor)
            store.save(meeting)  # durable before the first document exists
            try:
                paths = render_documents(
                    meeting,
                    agenda,
                    settings,
                    wanted,
                    out_dir,
                    family=family,
                    on_doc=on_doc,
                    on_written=conversion.stage if conversion is not None else None,
                )
            except StratError as exc:
                meeting.log("render failed", type(exc).__name__, who=settings.actor)
                store.save(meeting)
                raise
            for doc, path in zip(wanted, paths, strict=True):
                if not family:  # the family version is not the record sent to professionals
                    meeting.rendered[doc] = current
                meeting.log(
                    "rendered",
                    f"{doc}{' (family version)' if family else ''}: {path.name}",
                    who=settings.actor,
                )
            store.save(meeting)  # the documents written are settled before the PDFs are tried
            if conversion is not None:
                try:
                    pdfs = conversion.finish(paths, settings.store / "tmp")
                except StratError as exc:
                    meeting.log("PDF failed", type(exc).__name__, who=settings.actor)
                    store.save(meeting)
                    raise
                meeting.log(
                    "rendered", "PDF: " + ", ".join(p.name for p in pdfs), who=settings.actor
                )
                paths += pdfs
                store.save(meeting)
    finally:
        if conversion is not None:  # a failure anywhere: LibreOffice stopped, its copies gone
            conversion.close()
    return paths


def print_summary(store: RecordStore, settings: Settings, meeting_id: str) -> str:
    """The action summary text, with an audit entry: printing it is an export of the record."""
    from .agenda import get_agenda

    meeting = store.record_export(meeting_id, "action summary printed", who=settings.actor)
    return summary_text(meeting, get_agenda(meeting.agenda, settings.extra_agenda_dirs), settings)
