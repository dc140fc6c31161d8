"""Loading a template and checking it before anything is written: every tag against the shape of
the view (built from a specimen record), so a mistyped or split tag is reported by template and
tag; and the sandboxed, strict, autoescaped Jinja environment every render uses. A template that
passed is remembered in the private cache, so a second render skips the check and the compile."""

from __future__ import annotations

import contextlib
import difflib
import re
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .agenda import Agenda
from .cache import code_key, entry_name
from .errors import TemplateError
from .files import keep
from .model import Meeting, Method
from .settings import Settings
from .views import View, build_view

if TYPE_CHECKING:
    from jinja2 import Environment


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
# Both are keyed by content (the template's bytes or XML) and by the code that shaped the entry
# (code_key), so an edited template or a new strat simply misses. They live in
# <store>/cache, private like the store; a cache that cannot be written is skipped.


def compiled_code_key() -> str:
    """What shapes Jinja's code for a template: this module's environment (sandboxed, strict,
    autoescaped) and Jinja's compiler."""
    return code_key("jinja-code", files=("strat_cli/template_check.py", "jinja2/__init__.py"))


def checked_code_key() -> str:
    """What a passed check depends on: the checker, the view's shape (views, the record, the
    specimen), and how docxtpl (with python-docx) and Jinja read the template."""
    return code_key(
        "checked",
        files=(
            "strat_cli/template_check.py",
            "strat_cli/views.py",
            "strat_cli/model.py",
            "strat_cli/samples.py",
            "jinja2/__init__.py",
            "docxtpl/template.py",
            "docx/__init__.py",
        ),
    )


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
            path = self.code_cache / entry_name(
                source.encode("utf-8", "surrogatepass"), compiled_code_key()
            )
            try:
                return marshal.loads(path.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                pass
            code = base.compile(source)
            keep(path, marshal.dumps(code))
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
            marker = cache / "checked" / entry_name(path.read_bytes(), checked_code_key())
    if marker is None or not marker.is_file():
        check_template(tpl, name)
        if marker is not None:
            keep(marker, b"")
    return tpl
