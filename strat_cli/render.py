"""Word documents from the record: the Decision Sheet, the minutes and the action summary.

Templates are .docx files with Jinja tags (docxtpl). Shipped ones live in `templates/`; a council's
folder (settings.templates_dir) overrides them one by one by file name. Every template is checked
on load against the view (`views.build_view`), so a mistyped or split tag is reported by template
and tag before anything is written. User text is only ever data in the context, with
autoescaping on, so `{{ }}` or `<` typed by a person is printed, never evaluated or lost.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .agenda import Agenda
from .errors import StratError, TemplateError
from .model import CONTACT_FIELDS, LONDON, NOT_CONTENT, Meeting, Method, meeting_fields
from .resources import shipped_dir
from .settings import Settings
from .views import DOC_TITLES, DOCUMENTS, View, build_view, summary_text

if TYPE_CHECKING:
    from jinja2 import Environment

    from .store import Store

__all__ = [
    "DOCS",
    "TemplateInfo",
    "copy_templates",
    "document_filename",
    "list_templates",
    "load_template",
    "print_summary",
    "record_hash",
    "render_documents",
    "render_stored",
    "summary_text",
    "template_path",
    "to_pdf",
]

DOCS = DOCUMENTS  # views.DOCUMENTS: one list for render, email and the templates

# Parts of the record that change without changing what a document says.
_NOT_CONTENT = set(meeting_fields(NOT_CONTENT))
# Participants' contact details are how the record reaches them, not what it says: no view
# (so no template, shipped or a council's) can show them. Correcting an address after the mail
# server refused it must not make the documents "changed" (see mail.received_current).
_CONTACT = CONTACT_FIELDS


# --- names ---------------------------------------------------------------------------------


def check_doc(doc: str) -> str:
    if doc not in DOCS:
        raise TemplateError(f"no document {doc!r} (choose from {', '.join(DOCS)})")
    return doc


def expand_docs(docs: Sequence[str]) -> list[str]:
    """'all' means every document, in the order a reader wants them."""
    out: list[str] = []
    for doc in docs:
        for d in DOCS if doc == "all" else (check_doc(doc),):
            if d not in out:
                out.append(d)
    return out


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
    return [template_path(doc, settings) for doc in DOCS]


def copy_templates(dest: Path, *, force: bool = False) -> list[Path]:
    """Copy the shipped templates out for a council to edit; never overwrite without `force`."""
    sources = [shipped_dir("templates") / f"{doc}.docx" for doc in DOCS]
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


# --- loading and checking a template -------------------------------------------------------


def jinja_env(cache: Path | None = None) -> Environment:
    """Strict (a missing field is an error, not a blank), autoescaped (`&`, `<` survive) and
    sandboxed: a council's template is a file anyone with the folder can edit, so it may read
    the fields strat gives it and nothing else (`cycler.__init__.__globals__.os` is refused).

    With `cache`, the Python code each template compiles to is kept there (see _CachingEnv)."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    if cache is not None:
        cached: Environment = _caching_env()(cache, autoescape=True, undefined=StrictUndefined)
        return cached
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


# --- caches: a second render skips the template check and Jinja's compile ------------------
# Both are keyed by content (the template's bytes or XML, plus strat's and Jinja's versions and
# the modules the check depends on), so an edited template or a new strat simply misses. They
# live in <store>/cache, private like the store; a cache that cannot be written is skipped.


@lru_cache(maxsize=1)
def _code_key() -> str:
    import sys

    import jinja2

    from . import __version__

    here = Path(__file__).resolve().parent
    # "sandboxed": a sandbox compiles calls differently, so code from before it never matches
    parts = [__version__, jinja2.__version__, sys.version, "sandboxed"]
    for module in ("render.py", "views.py", "model.py"):
        try:
            st = (here / module).stat()
        except OSError:
            continue
        parts.append(f"{module}:{st.st_mtime_ns}:{st.st_size}")
    return "|".join(parts)


def _cache_key(data: bytes) -> str:
    return hashlib.sha256(_code_key().encode("utf-8") + b"\0" + data).hexdigest()


def _cache_put(path: Path, data: bytes) -> None:
    """Write a cache entry whole or not at all; no fsync: a lost entry is only recomputed."""
    from .files import keep

    keep(path, data, path.parent.parent, path.parent)  # <store>/cache and its subfolder


@lru_cache(maxsize=1)
def _caching_env() -> Any:
    import marshal

    from jinja2.sandbox import SandboxedEnvironment

    class _CachingEnv(SandboxedEnvironment):
        """Keeps the code compiled from each template's XML (docxtpl compiles it on every
        render with `from_string`): the minutes template takes ~20-40 ms to compile."""

        def __init__(self, cache: Path, **options: Any) -> None:
            super().__init__(**options)
            self.code_cache = cache / "compiled"

        def compile(
            self,
            source: Any,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            base: Any = super()
            if not isinstance(source, str) or raw or defer_init or name or filename:
                return base.compile(source, name, filename, raw, defer_init)
            path = self.code_cache / _cache_key(source.encode("utf-8", "surrogatepass"))
            try:
                return marshal.loads(path.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                pass
            code = base.compile(source)
            _cache_put(path, marshal.dumps(code))
            return code

    return _CachingEnv


def _specimen() -> tuple[Meeting, Agenda]:
    """A record with something in every list, so every field a template may use is known."""
    from .agenda import Item, ItemKind
    from .model import (
        AgencyKind,
        Amendment,
        Attendance,
        Authorisation,
        CirculationEntry,
        PartnerGap,
        PoliceAgreement,
    )
    from .samples import typical

    m = typical()
    at = m.started_at
    for p in m.participants:
        if p.agency_kind == AgencyKind.police:
            p.attendance = Attendance.apologies
    m.partner_gaps = [PartnerGap(agency_kind=AgencyKind.police, reason="In court")]
    m.decisions[0].police_agreement = PoliceAgreement(officer="DS Lamb", agreed=True, at=at)
    m.authorisation = Authorisation(by="A Manager", role="Team Manager", at=at)
    m.circulation = [CirculationEntry(at=at, method=Method.draft, recipients=["a@b.example"])]
    m.amendments = [Amendment(at=at, by="A Manager", text="Corrected a date")]
    agenda = Agenda(
        id="specimen",
        name="Specimen",
        items=[
            Item(key="introductions", title="Introductions", kind=ItemKind.attendance),
            Item(key="decisions", title="Decisions", kind=ItemKind.decisions),
            Item(key="actions", title="Actions", kind=ItemKind.actions),
            Item(key="reason", title="Reason"),
        ],
    )
    return m, agenda


@lru_cache(maxsize=1)
def _shape() -> View:
    """Every key a view can hold: the specimen's view, authorised and not, merged."""
    from .settings import Settings

    meeting, agenda = _specimen()
    settings = Settings(store=Path(tempfile.gettempdir()))
    view = build_view(meeting, agenda, settings)
    meeting.authorisation = None
    merged: View = _merge(view, build_view(meeting, agenda, settings, family=True))
    return merged


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {
            k: _merge(a.get(k), b.get(k)) if k in a and k in b else a.get(k, b.get(k))
            for k in {**a, **b}
        }
    if isinstance(a, list) and isinstance(b, list):
        items = [x for x in (*a, *b) if isinstance(x, dict)]
        merged: Any = {}
        for item in items:
            merged = _merge(merged, item) if merged else item
        return [merged] if items else (a or b)
    return a if a is not None else b


_UNKNOWN = object()  # a value whose shape the checker cannot know (loop, set, a filter result)
_JINJA_GLOBALS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop"}


def _parts_xml(tpl: Any) -> list[tuple[str, str]]:
    """(part name, patched XML) for the body, headers and footers, as docxtpl will render them."""
    from docx import Document

    doc = Document(tpl.template_file)
    parts = [("body", tpl.xml_to_string(doc._element.body))]
    from docx.oxml import parse_xml

    for uri, kind in ((tpl.HEADER_URI, "header"), (tpl.FOOTER_URI, "footer")):
        for rel in doc._part.rels.values():
            if rel.reltype == uri and rel.target_part.blob:
                parts.append((kind, tpl.xml_to_string(parse_xml(rel.target_part.blob))))
    # The same line layout render_xml_part uses, so Jinja's line numbers point at a paragraph.
    return [(kind, re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))) for kind, xml in parts]


def _line_text(xml: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = xml.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]) if 0 < lineno <= len(lines) else ""
    return " ".join(text.split())[:160]


def _tag_in(text: str, needle: str) -> str:
    """The `{{ … }}` or `{% … %}` in a paragraph's text that mentions `needle`."""
    for m in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}", text):
        if needle in m.group(0):
            return m.group(0)
    return needle


def _dotted(node: Any) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_dotted(node.node)}[{node.arg.value!r}]"
    return "…"


class _Checker:
    """Walks a parsed template and resolves every name.field path against the view's shape."""

    def __init__(self, name: str, part: str, xml: str) -> None:
        self.name, self.part, self.xml = name, part, xml

    def fail(self, node: Any, what: str, missing: str, known: Sequence[str]) -> None:
        text = _line_text(self.xml, getattr(node, "lineno", None))
        tag = _tag_in(text, missing)
        close = difflib.get_close_matches(missing, list(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        where = f" in the {self.part}" if self.part != "body" else ""
        raise TemplateError(
            f"{self.name}: the tag {tag}{where} uses {what!r}, which strat does not provide{hint}"
        )

    def resolve(self, node: Any, scope: dict[str, Any]) -> Any:
        from jinja2 import nodes

        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in _JINJA_GLOBALS:
                return _UNKNOWN
            self.fail(node, node.name, node.name, list(scope))
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            if isinstance(node, nodes.Getitem):
                if not isinstance(node.arg, nodes.Const):
                    self.walk(node.arg, scope)
                    self.resolve(node.node, scope)
                    return _UNKNOWN
                key = node.arg.value
            else:
                key = node.attr
            base = self.resolve(node.node, scope)
            if isinstance(base, dict):
                if key in base:
                    return base[key]
                if isinstance(key, str) and hasattr(dict, key):
                    return _UNKNOWN
                self.fail(node, _dotted(node), str(key), [str(k) for k in base])
            return _UNKNOWN
        self.walk(node, scope)
        return _UNKNOWN

    def bind(self, target: Any, value: Any, scope: dict[str, Any]) -> None:
        from jinja2 import nodes

        if isinstance(target, nodes.Name):
            scope[target.name] = value
        else:
            for name in target.find_all(nodes.Name):
                scope[name.name] = _UNKNOWN

    def walk(self, node: Any, scope: dict[str, Any]) -> None:
        from jinja2 import nodes

        if isinstance(node, nodes.For):
            items = self.resolve(node.iter, scope)
            inner = dict(scope)
            element = items[0] if isinstance(items, list) and items else _UNKNOWN
            self.bind(node.target, element, inner)
            inner["loop"] = _UNKNOWN
            for child in [*([node.test] if node.test else []), *node.body]:
                self.walk(child, inner)
            for child in node.else_:
                self.walk(child, scope)
            return
        if isinstance(node, nodes.Assign):
            self.resolve(node.node, scope)
            self.bind(node.target, _UNKNOWN, scope)
            return
        if isinstance(node, nodes.Macro | nodes.CallBlock | nodes.FilterBlock | nodes.With):
            inner = dict(scope)
            for name in node.find_all(nodes.Name):
                if name.ctx in ("store", "param"):
                    inner[name.name] = _UNKNOWN
            for child in node.iter_child_nodes():
                self.walk(child, inner)
            return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            if getattr(node, "ctx", "load") == "load":
                self.resolve(node, scope)
            return
        for child in node.iter_child_nodes():
            self.walk(child, scope)


def check_template(tpl: Any, name: str) -> None:
    """Fail with the template and the tag when a tag is broken or names an unknown field."""
    from jinja2 import TemplateSyntaxError

    env = jinja_env()
    shape = _shape()
    for part, xml in _parts_xml(tpl):
        try:
            ast = env.parse(xml)
        except TemplateSyntaxError as exc:
            text = _line_text(xml, exc.lineno)
            where = f" in the {part}" if part != "body" else ""
            raise TemplateError(
                f"{name}: broken tag{where} in the paragraph {text!r}: {exc.message}. Retype the "
                "tag in one go in Word (Word may have split it), with matching {{ }} or {% %}"
            ) from None
        _Checker(name, part, xml).walk(ast, dict(shape))


def load_template(path: Path, name: str | None = None, cache: Path | None = None) -> Any:
    """Open and check one template; every fault is a TemplateError naming the file.

    With `cache`, a template that passed the check once (same bytes, same strat) is not
    checked again: the check parses the template and builds two specimen views."""
    import zipfile

    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    name = name or path.name
    if not path.is_file():
        raise TemplateError(f"{path}: template not found")
    try:
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"{path}: not a Word .docx file ({type(exc).__name__})") from None
    marker = None
    if cache is not None:
        with contextlib.suppress(OSError):
            marker = cache / "checked" / _cache_key(path.read_bytes())
    if marker is None or not marker.is_file():
        check_template(tpl, name)
        if marker is not None:
            _cache_put(marker, b"")
    return tpl


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
        entry = cache / "docx" / _cache_key(docx_fast.code_key() + b"\0" + data)
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
                    _cache_put(entry, ready)
    return out


def render_documents(
    meeting: Meeting,
    agenda: Agenda,
    settings: Settings,
    docs: Sequence[str],
    out_dir: Path,
    *,
    family: bool = False,
    on_doc: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write each document as .docx in `out_dir` (private to this user); returns the paths.

    The view is built once: the documents differ only in their template and title. A folder
    strat makes is 0700; each document is written whole in the store's private `tmp` folder and
    renamed into place, so a render killed half-way leaves no copy in `out_dir` (and the
    leftovers of an earlier killed render of these documents are removed first)."""
    from .store import atomic_write, private_folder

    wanted = expand_docs(docs)
    tmp_dir = settings.store / "tmp"
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
        atomic_write(path, data, tmp_dir=tmp_dir)
        paths.append(path)
    return paths


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


# --- rendering a stored record, with its bookkeeping -------------------------------------


def render_stored(
    store: Store,
    settings: Settings,
    meeting_id: str,
    docs: Sequence[str],
    out_dir: Path,
    *,
    family: bool = False,
    pdf: bool = False,
    on_doc: Callable[[str], None] | None = None,
) -> list[Path]:
    """Render a stored meeting (authorised ones too) under its lock, and record it in two steps:
    the intent ("rendering", naming the files and folder) is saved before any document is
    written, so a render killed half-way still shows in the audit trail; then what was
    rendered: `meeting.rendered[doc]` (the record's hash) and an audit entry per document."""
    from .agenda import get_agenda

    wanted = expand_docs(docs)
    if pdf and find_soffice() is None:  # say so before writing anything
        to_pdf([], out_dir)
    with store.edit(meeting_id, allow_locked=True) as meeting:
        agenda = get_agenda(meeting.agenda, settings.extra_agenda_dirs)
        current = record_hash(meeting)
        names = [document_filename(meeting, doc, family) for doc in wanted]
        meeting.log("rendering", f"{', '.join(names)} to {out_dir}", who=settings.actor)
        store.save(meeting)  # durable before the first document exists
        try:
            paths = render_documents(
                meeting, agenda, settings, wanted, out_dir, family=family, on_doc=on_doc
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
        if pdf:
            pdfs = to_pdf(paths, out_dir)
            meeting.log("rendered", "PDF: " + ", ".join(p.name for p in pdfs), who=settings.actor)
            paths += pdfs
        store.save(meeting)
    return paths


def print_summary(store: Store, settings: Settings, meeting_id: str) -> str:
    """The action summary text, with an audit entry: printing it is an export of the record."""
    from .agenda import get_agenda

    meeting = store.record_export(meeting_id, "action summary printed", who=settings.actor)
    return summary_text(meeting, get_agenda(meeting.agenda, settings.extra_agenda_dirs), settings)
