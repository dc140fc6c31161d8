"""Every document is accessible: British English, a title, headings in order, no merged cells,
and `strat templates` warns about a council template a screen-reader user could not read."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strat_cli.accessible import inspect, problems
from strat_cli.agenda import get_agenda
from strat_cli.cli import app
from strat_cli.render import render_documents
from strat_cli.resources import DOCUMENTS as DOCS
from strat_cli.resources import shipped_dir
from strat_cli.settings import Settings
from strat_cli.store import FolderStore, parse_meeting

from .conftest import EXAMPLES

runner = CliRunner()
SHIPPED = [shipped_dir("templates") / f"{doc}.docx" for doc in DOCS]


def assert_accessible(path: Path) -> None:
    report = inspect(path)
    assert report.language == "en-GB", f"{path.name}: dc:language {report.language!r}"
    assert report.style_language == "en-GB", f"{path.name}: styles say {report.style_language!r}"
    assert report.title.startswith("Strategy Discussion"), path.name
    assert report.headings and report.headings[0] == 1, path.name
    assert report.problems == [], f"{path.name}: {report.problems}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_template_is_british_english_titled_and_in_order(path: Path) -> None:
    assert_accessible(path)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
@pytest.mark.parametrize("agenda", ["national", "pan-lancashire"])
@pytest.mark.parametrize("family", [False, True], ids=["professionals", "family"])
def test_every_rendered_document_is_british_english_titled_and_in_order(
    example: Path, agenda: str, family: bool, settings: Settings, tmp_path: Path
) -> None:
    meeting = parse_meeting(example.read_bytes(), example)
    paths = render_documents(
        meeting, get_agenda(agenda), settings, ["all"], tmp_path, family=family
    )
    assert len(paths) == len(DOCS)
    for path in paths:
        assert_accessible(path)


# --- the checks themselves catch what they are for ------------------------------------------


def png() -> bytes:
    """A 1x1 white PNG, so a test can put an image in a document without a file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def council_template(
    path: Path,
    *,
    logo: str | None = None,
    headings: tuple[int, ...] = (1, 2),
    title: str = "Northshire minutes",
    merge: bool = False,
) -> Path:
    """A council's template: a letterhead logo in the header (alt text `logo`, None for none)."""
    import io

    from docx import Document

    doc = Document()
    doc.core_properties.title = title
    if logo is not None:
        run = doc.sections[0].header.paragraphs[0].add_run()
        shape = run.add_picture(io.BytesIO(png()))
        shape._inline.docPr.set("descr", logo)
    for level in headings:
        doc.add_heading(f"Part at level {level}", level=level)
    doc.add_paragraph("{{ meeting.reference }}")
    if merge:
        table = doc.add_table(rows=1, cols=2)
        table.cell(0, 0).merge(table.cell(0, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def test_a_letterhead_image_without_alternative_text_is_found(tmp_path: Path) -> None:
    bare = council_template(tmp_path / "bare.docx", logo="")
    described = council_template(tmp_path / "described.docx", logo="Northshire Council logo")
    assert inspect(bare).images_without_alt == ["header"]
    assert any("image in the header without alternative text" in p for p in problems(bare))
    assert inspect(described).images_without_alt == []


def test_a_skipped_heading_level_is_found(tmp_path: Path) -> None:
    skipped = council_template(tmp_path / "skip.docx", headings=(1, 3, 2))
    late = council_template(tmp_path / "late.docx", headings=(2, 3))
    good = council_template(tmp_path / "good.docx", headings=(1, 2, 3, 2, 1, 2))
    assert inspect(skipped).heading_problems == ["Heading 3 follows Heading 1"]
    assert inspect(late).heading_problems == ["Heading 2 follows the start of the document"]
    assert inspect(good).heading_problems == []


def test_a_missing_title_and_merged_cells_are_found(tmp_path: Path) -> None:
    path = council_template(tmp_path / "t.docx", title="", merge=True)
    found = problems(path)
    assert any("no document title" in p for p in found)
    assert any("1 merged table cell" in p for p in found)


def test_a_file_that_is_not_a_docx_is_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "minutes.docx"
    path.write_text("not a zip")
    assert problems(path) == ["cannot be read as a Word .docx file"]


def test_a_council_template_keeps_its_own_language(tmp_path: Path, settings: Settings) -> None:
    """strat sets en-GB in its own templates only: a Welsh council's stays Welsh."""
    from docx import Document

    local = tmp_path / "council"
    path = council_template(local / "minutes.docx", logo="Cyngor logo")
    doc = Document(str(path))
    doc.core_properties.language = "cy-GB"
    doc.save(str(path))
    meeting = parse_meeting((EXAMPLES / "typical.json").read_bytes(), EXAMPLES / "typical.json")
    settings = Settings(store=settings.store, templates_dir=local)
    (out,) = render_documents(meeting, get_agenda("national"), settings, ["minutes"], tmp_path)
    assert inspect(out).language == "cy-GB"


def test_strat_templates_warns_about_a_council_image_without_alternative_text(
    tmp_path: Path, isolated_home: Path, store: FolderStore
) -> None:
    local = tmp_path / "council"
    council_template(local / "minutes.docx", logo="")
    council_template(local / "summary.docx", logo="Northshire Council logo")
    (isolated_home / "config.toml").write_text(f'[documents]\ntemplates = "{local.as_posix()}"\n')
    result = runner.invoke(app, ["templates"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Warning: minutes.docx has an image in the header without alternative text "
        "(right-click it > View Alt Text, or mark it decorative)"
    ]
