"""Templates: every shipped one renders every example; broken ones name template and tag."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

from strat_cli.agenda import get_agenda
from strat_cli.errors import TemplateError
from strat_cli.model import Meeting
from strat_cli.render import render_documents
from strat_cli.resources import DOCUMENTS as DOCS
from strat_cli.resources import shipped_dir
from strat_cli.settings import Settings
from strat_cli.store import parse_meeting
from strat_cli.template_check import load_template
from strat_cli.templates import copy_templates, list_templates, template_path

from .conftest import EXAMPLES, REPO
from .test_render import docx_text

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


def write_template(path: Path, *paragraphs: str | list[str], header: str = "") -> Path:
    """A minimal .docx: each item a paragraph; a list is one paragraph split into runs."""
    from docx import Document

    doc = Document()
    for para in paragraphs:
        p = doc.add_paragraph()
        for run in [para] if isinstance(para, str) else para:
            p.add_run(run)
    if header:
        doc.sections[0].header.paragraphs[0].add_run(header)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLE_FILES} >= {"typical.json", "large.json"}


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("doc", DOCS)
def test_every_shipped_template_renders_every_example(
    doc: str, example: Path, settings: Settings, tmp_path: Path
) -> None:
    meeting = parse_meeting(example.read_bytes(), example)
    agenda = get_agenda(meeting.agenda)
    (path,) = render_documents(meeting, agenda, settings, [doc], tmp_path)
    text = docx_text(path)
    assert meeting.id in text
    assert "OFFICIAL-SENSITIVE" in text
    for action in meeting.actions:
        if doc != "decision-sheet":
            assert action.what in text
    for decision in meeting.decisions:
        assert decision.rationale.split("\n")[0] in text


@pytest.mark.parametrize("doc", DOCS)
def test_shipped_templates_pass_the_check(doc: str) -> None:
    load_template(shipped_dir("templates") / f"{doc}.docx")


def test_committed_templates_match_the_build_script(tmp_path: Path) -> None:
    """templates/*.docx are regenerated whenever templates/build.py changes."""
    spec = importlib.util.spec_from_file_location("build", REPO / "templates" / "build.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.build(tmp_path)
    for doc in DOCS:
        with (
            zipfile.ZipFile(tmp_path / f"{doc}.docx") as fresh,
            zipfile.ZipFile(REPO / "templates" / f"{doc}.docx") as committed,
        ):
            for name in fresh.namelist():
                if name.startswith("word/") and name.endswith(".xml"):
                    assert fresh.read(name) == committed.read(name), (
                        f"{doc}.docx {name} is stale: run python templates/build.py"
                    )


# --- broken templates ----------------------------------------------------------------------


def test_a_mistyped_field_names_the_template_and_the_tag(tmp_path: Path) -> None:
    path = write_template(tmp_path / "minutes.docx", "Ref: {{ meeting.refrence }}")
    with pytest.raises(TemplateError) as err:
        load_template(path)
    msg = err.value.message
    assert "minutes.docx" in msg
    assert "{{ meeting.refrence }}" in msg
    assert "did you mean 'reference'" in msg


def test_an_unknown_top_level_name_is_reported(tmp_path: Path) -> None:
    path = write_template(tmp_path / "summary.docx", "{{ council_logo }}")
    with pytest.raises(TemplateError, match=r"summary\.docx: the tag \{\{ council_logo \}\}"):
        load_template(path)


def test_a_mistyped_field_inside_a_loop_is_reported(tmp_path: Path) -> None:
    path = write_template(
        tmp_path / "minutes.docx", "{%p for a in actions %}", "{{ a.owenr }}", "{%p endfor %}"
    )
    with pytest.raises(TemplateError, match=r"\{\{ a\.owenr \}\}.*did you mean 'owner'"):
        load_template(path)


def test_a_broken_tag_names_the_template_and_the_paragraph(tmp_path: Path) -> None:
    path = write_template(tmp_path / "decision-sheet.docx", "Reference: {{ meeting.reference }")
    with pytest.raises(TemplateError) as err:
        load_template(path)
    msg = err.value.message
    assert msg.startswith("decision-sheet.docx: broken tag in the paragraph")
    assert "Reference: {{ meeting.reference }" in msg


def test_an_unclosed_block_is_reported(tmp_path: Path) -> None:
    path = write_template(tmp_path / "minutes.docx", "{%p if family %}", "text")
    with pytest.raises(TemplateError, match=r"minutes\.docx: broken tag"):
        load_template(path)


def test_a_tag_split_across_runs_still_works(tmp_path: Path, typical_meeting: Meeting) -> None:
    """Word splits a tag into runs when half of it is formatted; docxtpl joins them again."""
    path = write_template(tmp_path / "summary.docx", ["Ref: {{ meet", "ing.refer", "ence }}"])
    settings = Settings(store=tmp_path, templates_dir=tmp_path)
    load_template(path)
    (out,) = render_documents(
        typical_meeting, get_agenda("national"), settings, ["summary"], tmp_path / "out"
    )
    assert "Ref: SD-2026-0001" in docx_text(out)


def test_a_broken_tag_in_the_header_says_so(tmp_path: Path) -> None:
    path = write_template(tmp_path / "minutes.docx", "body", header="{{ markng }}")
    with pytest.raises(TemplateError, match=r"\{\{ markng \}\} in the header.*'marking'"):
        load_template(path)


def test_a_field_missing_at_render_time_is_an_error_not_a_blank(
    tmp_path: Path, typical_meeting: Meeting
) -> None:
    write_template(tmp_path / "tpl" / "summary.docx", "{{ meeting.reference.nothing }}")
    settings = Settings(store=tmp_path, templates_dir=tmp_path / "tpl")
    with pytest.raises(TemplateError, match=r"summary\.docx.*nothing"):
        render_documents(typical_meeting, get_agenda("national"), settings, ["summary"], tmp_path)


def test_not_a_word_file(tmp_path: Path) -> None:
    path = tmp_path / "minutes.docx"
    path.write_text("not a docx")
    with pytest.raises(TemplateError, match=r"minutes\.docx: not a Word \.docx file"):
        load_template(path)


# --- override folder -------------------------------------------------------------------------


def test_a_local_template_overrides_the_shipped_one_by_name(
    tmp_path: Path, typical_meeting: Meeting
) -> None:
    local = tmp_path / "council"
    write_template(local / "minutes.docx", "Northshire Council minutes of {{ meeting.reference }}")
    settings = Settings(store=tmp_path, templates_dir=local)
    infos = {i.doc: i for i in list_templates(settings)}
    assert infos["minutes"].source == "local" and infos["minutes"].path == local / "minutes.docx"
    assert infos["summary"].source == "shipped"
    paths = render_documents(
        typical_meeting, get_agenda("national"), settings, ["all"], tmp_path / "out"
    )
    texts = {p.name.split("_")[1]: docx_text(p) for p in paths}
    assert texts["minutes"].strip() == "Northshire Council minutes of SD-2026-0001"
    assert "Strategy Discussion Decision Sheet" in texts["decision-sheet"]


def test_copy_templates_out_and_refuse_to_overwrite(tmp_path: Path) -> None:
    copied = copy_templates(tmp_path / "mine")
    assert sorted(p.name for p in copied) == sorted(f"{d}.docx" for d in DOCS)
    with pytest.raises(Exception, match="already exists; use --force"):
        copy_templates(tmp_path / "mine")
    assert copy_templates(tmp_path / "mine", force=True) == copied
    settings = Settings(store=tmp_path, templates_dir=tmp_path / "mine")
    assert template_path("minutes", settings).source == "local"
