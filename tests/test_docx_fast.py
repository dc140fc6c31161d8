"""The fast renderer against docxtpl, the reference: the same package, part for part and byte for
byte, for every shipped template and a council-edited one; docxtpl whenever the cache cannot be
trusted or the template needs it."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from strat_cli import cache as cache_files
from strat_cli import docx_fast, render
from strat_cli.agenda import get_agenda
from strat_cli.errors import TemplateError
from strat_cli.model import Authorisation, Meeting
from strat_cli.render import render_docx
from strat_cli.resources import DOCUMENTS as DOCS
from strat_cli.samples import large, typical
from strat_cli.settings import Settings
from strat_cli.template_check import checked_code_key, compiled_code_key, jinja_env, load_template
from strat_cli.templates import template_path
from strat_cli.views import DOC_TITLES, build_view

from .test_render import make_hostile

# A 1x1 PNG: a council's logo, so the package has a picture (a drawing id docxtpl renumbers).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def views(meeting: Meeting, settings: Settings, doc: str, family: bool = False) -> dict[str, Any]:
    base = build_view(meeting, get_agenda(meeting.agenda), settings, family=family)
    return base | {"document_title": DOC_TITLES.get(doc, base["document_title"])}


def reference(path: Path, view: dict[str, Any], stamp: datetime) -> bytes:
    """docxtpl alone: no cache, no compiled template."""
    return render_docx(load_template(path), view, path.name, None, stamp=stamp)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def fast(path: Path, view: dict[str, Any], cache: Path, stamp: datetime) -> bytes:
    return render.render_template(path, view, path.name, cache, stamp=stamp)


def compiled_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a render that reaches docxtpl fails the test."""

    def refuse(*args: object, **kw: object) -> None:
        raise AssertionError("docxtpl was used although the template was compiled")

    monkeypatch.setattr(render, "load_template", refuse)


def hostile_typical() -> Meeting:
    meeting = typical()
    make_hostile(meeting, {})
    return meeting


def authorised_large() -> Meeting:
    meeting = large()
    meeting.authorisation = Authorisation(
        by="A Manager", role="Team Manager", at=meeting.started_at
    )
    return meeting


MEETINGS = {"typical": typical, "large": authorised_large, "hostile": hostile_typical}


@pytest.mark.parametrize("family", [False, True], ids=["professional", "family"])
@pytest.mark.parametrize("example", sorted(MEETINGS))
@pytest.mark.parametrize("doc", DOCS)
def test_every_shipped_template_renders_the_same_package_both_ways(
    doc: str,
    example: str,
    family: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting = MEETINGS[example]()
    settings = Settings(store=tmp_path, marking="OFFICIAL-SENSITIVE & <marked>")
    view = views(meeting, settings, doc, family)
    path = template_path(doc, settings).path
    expected = reference(path, view, meeting.started_at)
    cache = tmp_path / "cache"
    first = fast(path, view, cache, meeting.started_at)  # docxtpl, compiling as it goes
    assert list((cache / "docx").iterdir()), "the template was not compiled"
    compiled_only(monkeypatch)
    second = fast(path, view, cache, meeting.started_at)
    assert parts(second) == parts(expected)  # every XML part, in the same order
    assert first == second == expected  # and the file itself, byte for byte


def council_template(path: Path) -> Path:
    """The shipped minutes as a council might edit them in Word: a logo, a paragraph with a tab
    and fields, a table of actions built by a row loop, a table whose columns come from a
    column loop (docxtpl then rewrites the table grid), and a new header line."""
    from docx import Document
    from docx.shared import Cm

    doc = Document(str(template_path("minutes", Settings(store=path.parent)).path))
    path.parent.mkdir(parents=True, exist_ok=True)
    logo = path.parent / "logo.png"
    logo.write_bytes(PNG)
    doc.add_picture(str(logo), width=Cm(2))
    doc.add_paragraph("Council ref:\t{{ meeting.reference }} {{ marking }}")
    doc.add_picture(str(logo), width=Cm(1))
    rows = doc.add_table(rows=4, cols=3)
    rows.rows[0].cells[0].text = "What"
    rows.rows[1].cells[0].text = "{%tr for a in actions %}"
    for cell, field in zip(rows.rows[2].cells, ("what", "owner", "due"), strict=True):
        cell.text = "{{ a." + field + " }}"
    rows.rows[3].cells[0].text = "{%tr endfor %}"
    columns = doc.add_table(rows=2, cols=3)
    columns.rows[0].cells[0].text = "Child"
    texts = ("{%tc for c in children %}", "{{ c.name }}", "{%tc endfor %}")
    for cell, text in zip(columns.rows[1].cells, texts, strict=True):
        cell.text = text
    doc.sections[0].header.add_paragraph("{{ meeting.reference }}\t{{ document_title }}")
    doc.save(str(path))
    return path


@pytest.mark.parametrize("example", sorted(MEETINGS))
def test_a_council_edited_template_renders_the_same_package_both_ways(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = council_template(tmp_path / "council" / "minutes.docx")
    settings = Settings(store=tmp_path, templates_dir=path.parent)
    load_template(path)  # the check accepts it
    cache = tmp_path / "cache"
    outputs = {}
    for name, make in sorted(MEETINGS.items()):  # compiled by one record, used by another
        meeting = make()
        view = views(meeting, settings, "minutes")
        outputs[name] = (view, meeting.started_at, reference(path, view, meeting.started_at))
    meeting = MEETINGS[example]()
    view, stamp, expected = outputs[example]
    fast(path, view, cache, stamp)
    compiled_only(monkeypatch)
    for view, stamp, expected in outputs.values():
        assert parts(fast(path, view, cache, stamp)) == parts(expected)
        assert fast(path, view, cache, stamp) == expected
    body = parts(expected)["word/document.xml"].decode()
    assert body.count("<wp:docPr") == 2 and 'id="1001"' in body and 'id="1002"' in body


def test_an_empty_row_loop_still_gives_the_grid_docxtpl_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no actions, the action table has no rows: docxtpl then removes its grid columns."""
    path = council_template(tmp_path / "council" / "minutes.docx")
    settings = Settings(store=tmp_path, templates_dir=path.parent)
    meeting = typical()
    cache = tmp_path / "cache"
    fast(path, views(meeting, settings, "minutes"), cache, meeting.started_at)
    meeting.actions = []
    meeting.children = meeting.children[:1]
    view = views(meeting, settings, "minutes")
    expected = reference(path, view, meeting.started_at)
    compiled_only(monkeypatch)
    assert fast(path, view, cache, meeting.started_at) == expected


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    path = council_template(tmp_path / "council" / "minutes.docx")
    settings = Settings(store=tmp_path, templates_dir=path.parent)
    meeting = typical()
    view = views(meeting, settings, "minutes")
    cache = tmp_path / "cache"
    fast(path, view, cache, meeting.started_at)
    from docx import Document

    doc = Document(str(path))
    doc.add_paragraph("Edited after the first render: {{ meeting.reference }}")
    doc.save(str(path))
    out = fast(path, view, cache, meeting.started_at)
    assert out == reference(path, view, meeting.started_at)
    assert b"Edited after the first render" in parts(out)["word/document.xml"]
    assert len(list((cache / "docx").iterdir())) == 2


@pytest.fixture
def code_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Every file a cache key names (strat's modules, Jinja's, docxtpl's, python-docx's) read
    from a copy the test may touch: label -> copy, filled as the keys ask."""
    real = cache_files._file
    copies: dict[str, Path] = {}

    def copy(label: str) -> Path:
        if label not in copies:
            source = real(label)
            assert source is not None and source.is_file(), f"{label} is not there"
            copies[label] = tmp_path / "code" / label
            copies[label].parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copies[label])
        return copies[label]

    monkeypatch.setattr(cache_files, "_file", copy)
    cache_files.code_key.cache_clear()
    yield copies
    cache_files.code_key.cache_clear()  # later tests key by the real files again


def _compile_jinja(cache: Path) -> None:
    jinja_env(cache).from_string("{{ meeting.reference }}")


def _check_template(cache: Path) -> None:
    load_template(template_path("summary", Settings(store=cache.parent)).path, cache=cache)


def _render_compiled(cache: Path) -> None:
    settings = Settings(store=cache.parent)
    meeting = typical()
    view = views(meeting, settings, "summary")
    fast(template_path("summary", settings).path, view, cache, meeting.started_at)


def _count_holidays(cache: Path) -> None:
    from strat_cli import deadlines

    deadlines.use_cache(cache / "holidays")
    try:
        assert not deadlines.is_working_day(date(2026, 12, 28), "ENG")
    finally:
        deadlines.use_cache(None)


@pytest.mark.parametrize(
    ("folder", "fill"),
    [
        ("compiled", _compile_jinja),
        ("checked", _check_template),
        ("docx", _render_compiled),
        ("holidays", _count_holidays),
    ],
)
def test_editing_any_file_a_cache_is_keyed_by_misses_that_cache(
    folder: str, fill: Callable[[Path], None], tmp_path: Path, code_copies: dict[str, Path]
) -> None:
    """A new Jinja, docxtpl or python-docx, or an edited module of strat, that shapes what a
    cache keeps makes a new entry instead of reusing one made by the old code (same size, only
    the time changed, as an edit in place may leave it)."""
    cache = tmp_path / "cache"
    fill(cache)
    fill(cache)
    assert len(list((cache / folder).iterdir())) == 1, "the second run did not reuse the entry"
    assert code_copies, "the key names no file"
    for n, (label, copy) in enumerate(sorted(code_copies.items()), start=1):
        later = copy.stat().st_mtime_ns + 10**9
        os.utime(copy, ns=(later, later))
        cache_files.code_key.cache_clear()  # as a new process would start
        fill(cache)
        assert len(list((cache / folder).iterdir())) == 1 + n, f"{label} edited, entry reused"


def test_each_cache_is_keyed_by_the_modules_that_shape_it() -> None:
    """render.py shapes the compiled .docx (its docxtpl render is what is kept), not the check
    of a template nor Jinja's code; the view's modules shape the check."""
    compiled, checked, docx = compiled_code_key(), checked_code_key(), docx_fast.code_key()
    assert "strat_cli/render.py" in docx and "strat_cli/docx_fast.py" in docx
    assert "strat_cli/render.py" not in checked + compiled
    assert "strat_cli/views.py" in checked and "docxtpl/template.py" in checked
    assert "jinja2/__init__.py" in compiled and "missing" not in compiled + checked + docx


@pytest.mark.parametrize("damage", ["empty", "truncated", "not marshal", "wrong shape"])
def test_a_damaged_cache_entry_is_ignored_and_docxtpl_renders(tmp_path: Path, damage: str) -> None:
    import marshal

    settings = Settings(store=tmp_path)
    meeting = typical()
    view = views(meeting, settings, "summary")
    path = template_path("summary", settings).path
    cache = tmp_path / "cache"
    fast(path, view, cache, meeting.started_at)
    (entry,) = (cache / "docx").iterdir()
    data = entry.read_bytes()
    entry.write_bytes(
        {
            "empty": b"",
            "truncated": data[: len(data) // 2],
            "not marshal": b"\xff" * 64,
            "wrong shape": marshal.dumps({"format": 1, "body": ["word/document.xml", ""]}),
        }[damage]
    )
    assert fast(path, view, cache, meeting.started_at) == reference(path, view, meeting.started_at)


def test_a_template_with_fields_in_its_properties_is_always_rendered_by_docxtpl(
    tmp_path: Path,
) -> None:
    """docxtpl renders the title, subject… as templates too; the fast path does not, so such a
    template is never compiled (and its properties still come out rendered)."""
    from docx import Document

    path = tmp_path / "council" / "summary.docx"
    path.parent.mkdir()
    doc = Document(str(template_path("summary", Settings(store=tmp_path)).path))
    doc.core_properties.title = "Summary {{ meeting.reference }}"
    doc.save(str(path))
    settings = Settings(store=tmp_path, templates_dir=path.parent)
    meeting = typical()
    view = views(meeting, settings, "summary")
    cache = tmp_path / "cache"
    for _ in range(2):
        out = fast(path, view, cache, meeting.started_at)
        assert out == reference(path, view, meeting.started_at)
    assert not (cache / "docx").exists() or not list((cache / "docx").iterdir())
    assert f"<dc:title>Summary {meeting.id}</dc:title>".encode() in parts(out)["docProps/core.xml"]


def test_a_missing_field_is_the_same_error_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A field that is there for one record and missing for the next (here: a row loop over
    the children, then a child the template reads a missing key of) fails with the template's
    name and the text near the tag, compiled or not."""
    from docx import Document

    path = tmp_path / "council" / "summary.docx"
    path.parent.mkdir()
    doc = Document(str(template_path("summary", Settings(store=tmp_path)).path))
    doc.add_paragraph("{% if family %}{{ meeting.reference.nothing }}{% endif %}")
    doc.save(str(path))
    settings = Settings(store=tmp_path, templates_dir=path.parent)
    meeting = typical()
    cache = tmp_path / "cache"
    fast(path, views(meeting, settings, "summary"), cache, meeting.started_at)
    family = views(meeting, settings, "summary", family=True)
    with pytest.raises(TemplateError) as slow:
        reference(path, family, meeting.started_at)
    compiled_only(monkeypatch)
    with pytest.raises(TemplateError) as quick:
        fast(path, family, cache, meeting.started_at)
    assert quick.value.message == slow.value.message
    assert "summary.docx" in quick.value.message and "nothing" in quick.value.message


def test_a_compiled_render_imports_neither_docxtpl_nor_python_docx(tmp_path: Path) -> None:
    script = f"""
import json, sys
from pathlib import Path
from strat_cli import cache as cache_files
from strat_cli import docx_fast, render
from strat_cli.samples import large
from strat_cli.agenda import get_agenda
from strat_cli.settings import Settings
store = Path({str(tmp_path)!r})
meeting = large()
settings = Settings(store=store)
render.render_documents(meeting, get_agenda(meeting.agenda), settings, ["all"], store / "out")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("docx", "docxtpl"))))
"""
    run = [sys.executable, "-c", script]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert "docxtpl" in json.loads(first.stdout)
    second = subprocess.run(run, capture_output=True, text=True, check=True)
    assert json.loads(second.stdout) == []


def test_a_compiled_council_template_still_runs_in_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path uses the same sandboxed environment as docxtpl's: a tag that reaches `os`
    through `cycler` is refused there too (here it only runs for the family version, so the
    professional render compiles the template first)."""
    from docx import Document

    marker = tmp_path / "ran"
    path = tmp_path / "council" / "summary.docx"
    path.parent.mkdir()
    doc = Document(str(template_path("summary", Settings(store=tmp_path)).path))
    payload = f"cycler.__init__.__globals__.os.system('echo x > {marker.as_posix()}')"
    doc.add_paragraph("{% if family %}{{ " + payload + " }}{% endif %}")
    doc.save(str(path))
    settings = Settings(store=tmp_path, templates_dir=path.parent)
    meeting = typical()
    cache = tmp_path / "cache"
    fast(path, views(meeting, settings, "summary"), cache, meeting.started_at)
    compiled_only(monkeypatch)
    with pytest.raises(TemplateError, match=r"summary\.docx: .*unsafe|summary\.docx: .*access"):
        fast(path, views(meeting, settings, "summary", family=True), cache, meeting.started_at)
    assert not marker.exists()


def zipfile_package(entries: list[tuple[str, bytes]]) -> bytes:
    """What the standard library writes for these parts (write_package's reference)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            entry = zipfile.ZipInfo(name, date_time=docx_fast.ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def test_the_package_writer_writes_what_zipfile_writes_byte_for_byte() -> None:
    """The fast path copies the template's untouched parts deflated once (docx_fast.deflate):
    the package must still be zipfile's, byte for byte, whether a part comes deflated or not."""
    parts = [
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
        ("word/document.xml", "<w:t>Ünïcode ✓ and more</w:t>".encode() * 500),
        ("word/media/image1.png", PNG),
        ("word/empty.xml", b""),
        ("word/styles.xml", bytes(range(256)) * 300),  # does not compress
        ("docProps/ünï.xml", b"a name that is not ASCII"),
    ]
    expected = zipfile_package(parts)
    assert docx_fast.write_package(parts) == expected
    assert docx_fast.write_package((n, docx_fast.deflate(d)) for n, d in parts) == expected
    with zipfile.ZipFile(io.BytesIO(expected)) as package:
        assert package.testzip() is None
        assert [(i.filename, package.read(i)) for i in package.infolist()] == parts


def test_every_shipped_template_package_is_zipfiles_own(tmp_path: Path) -> None:
    meeting = large()
    settings = Settings(store=tmp_path)
    for doc in DOCS:
        data = render.render_template(
            template_path(doc, settings).path, views(meeting, settings, doc), doc, tmp_path / "c"
        )  # the first render compiles; the second runs the compiled form
        again = render.render_template(
            template_path(doc, settings).path, views(meeting, settings, doc), doc, tmp_path / "c"
        )
        with zipfile.ZipFile(io.BytesIO(again)) as package:
            parts = [(i.filename, package.read(i)) for i in package.infolist()]
        assert again == data == zipfile_package(parts)
