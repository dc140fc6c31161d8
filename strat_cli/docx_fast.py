"""Rendering a .docx from a template compiled once, without docxtpl or python-docx.

docxtpl (the reference) does on every render what depends only on the template: python-docx opens
the package, docxtpl's regexes turn each XML part into Jinja source, Jinja compiles it, and
python-docx re-serialises every part on save. Only running the template depends on the record.

So the first render of a template goes through docxtpl (`render.render_template` calls
`load_template`, which checks it, and `render_docx`) and keeps, in `<store>/cache/docx/<key>`: the Jinja source of each part
docxtpl renders (body, headers, footers), the document element around the body, the core
properties as written, and every other part exactly as python-docx saved it (deflated, as the
zip stores it, so a render copies it instead of compressing it again). The key is the
template's bytes with the code that shaped the entry (`code_key`), so an edited template or a
new strat misses. Later renders run the same Jinja source in the same (sandboxed, strict, autoescaped)
environment, apply docxtpl's post-processing (line breaks, table grids, drawing ids) with lxml,
and write the zip directly. tests/test_docx_fast.py renders every shipped template and a
council-edited one both ways and asserts the packages are identical.

A template this cannot reproduce exactly (Jinja tags in its core properties or footnotes) is
always rendered by docxtpl.
"""

from __future__ import annotations

import io
import marshal
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import TemplateError

__all__ = [
    "code_key",
    "compile_template",
    "deflate",
    "finish",
    "load",
    "render_compiled",
    "template_error",
    "write_package",
]

# Every entry of a rendered .docx gets this time, so the same record gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FORMAT = 2  # of a cache entry; bump when its shape changes
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# docxtpl renders these core properties as templates (DocxTemplate.render_properties).
_RENDERED_PROPS = ("author", "comments", "identifier", "language", "subject", "title")
_DATES = re.compile(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def deflate(data: bytes) -> tuple[int, int, bytes]:
    """A part as a zip entry stores it: (CRC-32, size, raw deflate at zipfile's default level)."""
    import zlib

    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), len(data), packer.compress(data) + packer.flush()


def write_package(entries: Iterable[tuple[str, bytes | tuple[int, int, bytes]]]) -> bytes:
    """A zip with fixed entry times and modes, in the given order: equal parts, equal bytes.
    Byte for byte what `zipfile` writes for them (tests/test_docx_fast.py compares), written
    here so that a part already deflated (`deflate`: the template's untouched parts, kept so
    in the cache) is copied as it is instead of compressed again at every render."""
    import struct
    import zipfile

    zf: Any = zipfile  # the format's structures, which typeshed does not declare
    out, directory, count = bytearray(), bytearray(), 0
    for name, data in entries:
        crc, size, packed = deflate(data) if isinstance(data, bytes) else data
        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        info.CRC, info.file_size, info.compress_size = crc, size, len(packed)
        info.header_offset = len(out)
        out += info.FileHeader(False)
        out += packed
        filename, flags = info.filename.encode("utf-8"), info.flag_bits
        if not info.filename.isascii():
            flags |= 0x800  # the name is UTF-8, as zipfile marks it
        else:
            filename = info.filename.encode("ascii")
        dt = info.date_time
        directory += struct.pack(
            zf.structCentralDir,
            zf.stringCentralDir,
            info.create_version,
            info.create_system,
            info.extract_version,
            info.reserved,
            flags,
            info.compress_type,
            dt[3] << 11 | dt[4] << 5 | (dt[5] // 2),
            (dt[0] - 1980) << 9 | dt[1] << 5 | dt[2],
            crc,
            len(packed),
            size,
            len(filename),
            0,
            0,
            0,
            info.internal_attr,
            info.external_attr,
            info.header_offset,
        )
        directory += filename
        count += 1
    end = struct.pack(
        zf.structEndArchive,
        zf.stringEndArchive,
        0,
        0,
        count,
        count,
        len(directory),
        len(out),
        0,
    )
    return bytes(out + directory + end)


def template_error(exc: Any, name: str, source: str | None = None) -> TemplateError:
    """The one message for a Jinja error while rendering: the template and the text near it.

    `source` is the part's Jinja source when docxtpl did not attach its `docx_context` (the
    same seven tag-stripped lines around the error it would have)."""
    lines = getattr(exc, "docx_context", None)
    if lines is None and source is not None and getattr(exc, "lineno", None) is not None:
        start = max(exc.lineno - 4, 0)
        lines = [re.sub(r"<[^>]+>", "", x) for x in source.splitlines()[start : start + 7]]
    context = " ".join(" ".join(lines or []).split())[:160]
    near = f" near {context!r}" if context else ""
    return TemplateError(f"{name}: {exc.message or exc}{near}")


# --- compiling, from docxtpl's own work (render.render_template calls these) ---------------


def compile_template(tpl: Any) -> dict[str, Any] | None:
    """What docxtpl derives from the template alone, read before it renders; None when this
    template needs docxtpl every time."""
    import copy

    from lxml import etree

    doc = tpl.docx
    props = doc.core_properties
    if any("{" in (getattr(props, p) or "") for p in _RENDERED_PROPS):
        return None
    package = doc.part.package
    for part in package.parts:
        if part.content_type == _FOOTNOTES and b"{" in part.blob:
            return None
    root = copy.deepcopy(doc.element)
    body = root.find(f"{{{_W}}}body")
    root.replace(body, etree.Element(f"{{{_W}}}body"))
    parts = []
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _rel, part in tpl.get_headers_footers(uri):
            parts.append([str(part.partname).lstrip("/"), _source(tpl, tpl.get_part_xml(part))])
    return {
        "format": _FORMAT,
        "body": [str(doc.part.partname).lstrip("/"), _source(tpl, tpl.get_xml())],
        "skeleton": etree.tostring(root, encoding="UTF-8", standalone=True),
        "parts": parts,
        "core": str(package._core_properties_part.partname).lstrip("/"),
    }


def _source(tpl: Any, xml: str) -> str:
    """docxtpl's Jinja source for a part: its cleaning, then one paragraph a line."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))


def finish(compiled: dict[str, Any], out: bytes, stamp: datetime | None) -> bytes | None:
    """The cache entry: the compiled template with the package's fixed parts as the reference
    (`out`, rendered with `stamp`) wrote them; None when they cannot be told apart."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(out)) as package:
        entries = {info.filename: package.read(info) for info in package.infolist()}
    rendered = {compiled["body"][0], compiled["core"], *(n for n, _s in compiled["parts"])}
    if not rendered <= entries.keys():
        return None
    core = entries[compiled["core"]].decode("utf-8")
    when = _when(stamp)
    if [m.group(0)[len(m.group(1)) : -len(m.group(3))] for m in _DATES.finditer(core)] != [
        when,
        when,
    ]:
        return None
    compiled["order"] = list(entries)
    compiled["fixed"] = {n: deflate(b) for n, b in entries.items() if n not in rendered}
    compiled["core_xml"] = core
    return marshal.dumps(compiled)


# --- the fast path -------------------------------------------------------------------------


def render_compiled(
    c: dict[str, Any], context: dict[str, Any], env: Any, name: str, stamp: datetime | None
) -> bytes:
    """docxtpl's render and python-docx's save, from a compiled template: `context` is the view
    as docxtpl gets it, `env` the same (sandboxed) Jinja environment."""
    from lxml import etree

    body_name, body_source = c["body"]
    body = etree.fromstring(
        _render_part(env, body_source, context, name), etree.XMLParser(recover=True)
    )
    _fix_tables(body)
    for n, drawing in enumerate(body.iter(f"{{{_WP}}}docPr"), start=1001):
        drawing.attrib["id"] = str(n)
    docx_parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's
    root = etree.fromstring(c["skeleton"], docx_parser)
    root.replace(root.find(f"{{{_W}}}body"), body)
    parts = {body_name: etree.tostring(root, encoding="UTF-8", standalone=True)}
    for part_name, source in c["parts"]:
        xml = _render_part(env, source, context, name).encode("utf-8")
        parts[part_name] = etree.tostring(
            etree.fromstring(xml, docx_parser), encoding="UTF-8", standalone=True
        )
    when = _when(stamp)
    parts[c["core"]] = _DATES.sub(lambda m: m.group(1) + when + m.group(3), c["core_xml"]).encode(
        "utf-8"
    )
    fixed = c["fixed"]
    return write_package((n, parts[n] if n in parts else fixed[n]) for n in c["order"])


def _render_part(env: Any, source: str, context: dict[str, Any], name: str) -> str:
    """docxtpl's render_xml_part: run the template, undo its line layout and `{_{` escapes,
    and turn tabs and newlines in the text into Word's own."""
    import jinja2

    try:
        xml = str(env.from_string(source).render(context))
    except jinja2.TemplateError as exc:
        raise template_error(exc, name, source) from None
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if _SPECIAL.search(xml):
        xml = _PARAGRAPH.sub(_paragraph_breaks, xml)
    return xml


_SPECIAL = re.compile("[\t\a\n\f]")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_PPR = re.compile(r"<w:pPr>.*?</w:pPr>")
_RPR = re.compile(r"<w:rPr>.*?</w:rPr>")


def _paragraph_breaks(para: re.Match[str]) -> str:
    """docxtpl's resolve_listing for one paragraph: a tab, a new paragraph (\\a), a line break
    (\\n) or a page break (\\f) inside a text run, keeping the run's and paragraph's format."""
    if not _SPECIAL.search(para.group(0)):
        return para.group(0)  # nothing to replace: most paragraphs
    found = _PPR.search(para.group(0))
    ppr = found.group(0) if found else ""

    def run(m: re.Match[str]) -> str:
        found = _RPR.search(m.group(0))
        rpr = found.group(0) if found else ""

        def text(t: re.Match[str]) -> str:
            xml = t.group(0).replace(
                "\t", f'</w:t></w:r><w:r>{rpr}<w:tab/></w:r><w:r>{rpr}<w:t xml:space="preserve">'
            )
            xml = xml.replace(
                "\a", f'</w:t></w:r></w:p><w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">'
            )
            xml = xml.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
            return xml.replace(
                "\f",
                '</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p>'
                f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">',
            )

        return _TEXT.sub(text, m.group(0))

    return _RUN.sub(run, para.group(0))


def _fix_tables(tree: Any) -> None:
    """docxtpl's fix_tables: a table's grid gets as many columns as its widest row has cells
    (keeping the table's width), after loops may have added or removed cells."""
    from lxml import etree

    w = "{" + tree.nsmap["w"] + "}"
    tc, tc_pr, grid_span, width = w + "tc", w + "tcPr", w + "gridSpan", w + "w"
    for table in tree.iter(w + "tbl"):
        grid = table.find(w + "tblGrid")
        columns = grid.findall(w + "gridCol")
        most = widest = 0  # the most cells in a row; the most grid columns a row spans
        for row in table.iter(w + "tr"):
            cells = row.findall(tc)
            span = len(cells)
            for cell in cells:  # a merged cell counts its gridSpan (the first of its first tcPr)
                props = next(cell.iterchildren(tc_pr), None)
                merged = None if props is None else next(props.iterchildren(grid_span), None)
                if merged is not None:
                    span += int(merged.get(w + "val")) - 1
            most, widest = max(most, len(cells)), max(widest, span)
        extra = most - len(columns)
        if extra > 0:
            total = sum((float(c.get(width)) for c in columns if c.get(width) is not None), 0.0)
            if total > 0:
                old, new = total / len(columns), total / (len(columns) + extra)
                for c in columns:
                    c.set(width, str(int(float(c.get(width)) * new / old)))
                for _ in range(extra):
                    etree.SubElement(grid, w + "gridCol", {width: str(int(new))})
            columns = grid.findall(w + "gridCol")
        surplus = len(columns) - widest
        if surplus > 0:
            removed = 0.0
            for c in columns[-surplus:]:
                removed += float(c.get(width))
                grid.remove(c)
            left = grid.findall(w + "gridCol")
            share = int(removed / len(left)) if left else 0
            for c in left:
                c.set(width, str(int(float(c.get(width)) + share)))


# --- the cache -----------------------------------------------------------------------------


def _when(stamp: datetime | None) -> str:
    """The core properties' created and modified, as render_docx sets them."""
    when = (stamp or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
    return when.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def code_key() -> str:
    """What shapes a compiled template besides its bytes (cache.code_key): this module, render
    (whose docxtpl render it is taken from), docxtpl's and python-docx's code, and zlib's
    version (the untouched parts are kept deflated). An entry also stands for a template that
    passed the check, so render names it with template_check.checked_code_key as well."""
    import zlib

    from .cache import code_key as made_by

    return made_by(
        f"docx-fast {_FORMAT} zlib {zlib.ZLIB_RUNTIME_VERSION}",
        files=(
            "strat_cli/docx_fast.py",
            "strat_cli/render.py",
            "docxtpl/template.py",
            "docx/__init__.py",
        ),
    )


def load(path: Path) -> dict[str, Any] | None:
    """A compiled template, or None when there is none or it is not whole."""
    try:
        entry = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    keys = ("body", "skeleton", "parts", "core", "order", "fixed", "core_xml")
    if not isinstance(entry, dict) or entry.get("format") != _FORMAT:
        return None
    if any(k not in entry for k in keys):
        return None
    rendered = {entry["body"][0], entry["core"], *(n for n, _s in entry["parts"])}
    if any(n not in rendered and n not in entry["fixed"] for n in entry["order"]):
        return None
    return entry
