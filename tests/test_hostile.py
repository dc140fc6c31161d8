"""Hostile input: whatever a tired person types or pastes is kept exactly, never evaluated, and
never lets a reference reach outside the store."""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from enum import Enum
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner

from strat_cli.cli import app
from strat_cli.errors import InvalidRecord, NotFound, StratError
from strat_cli.model import Action, Meeting
from strat_cli.samples import typical
from strat_cli.store import FolderStore, check_id

POSIX = os.name == "posix"

# Free-text fields whose content the model checks: a blank `what`/`owner` is refused on purpose.
NOT_BLANK = {(Action, "what"), (Action, "owner")}
NOT_FREE = {(Meeting, "id")}  # the reference is checked (test_ids_* below)
# References strat makes (C1, P3, SD-2026-0001:A3, an agenda's id): their shape is checked, so a
# name can never be one (tests/test_references.py).
REFERENCES = {
    "id",
    "child_id",
    "participant_id",
    "owner_participant_id",
    "carried_from",
    "ref",
    "new_action_id",
    "agenda",
    "current",
}

TEMPLATE_SYNTAX = [
    "{{ 7*7 }}",
    "{% if true %}evaluated{% endif %}",
    "{{ settings.smtp.password_env }}",
    "{%tr for a in actions %}",
    "${HOME} $(whoami) `id`",
    "%(name)s {0.__class__} {name!r}",
    "<w:t>x</w:t> &amp; </w:p> ]]>",
    "[bold]not bold[/bold] [/]",
]


def _text_slots(meeting: Meeting) -> list[tuple[BaseModel, str]]:
    """Every free-text field of every part of the record (enums are str too: left out)."""
    slots: list[tuple[BaseModel, str]] = []

    def walk(obj: BaseModel) -> None:
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if isinstance(value, BaseModel):
                walk(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, BaseModel):
                        walk(item)
            elif (
                isinstance(value, str)
                and not isinstance(value, Enum)
                and (type(obj), name) not in NOT_FREE
                and name not in REFERENCES
            ):
                slots.append((obj, name))

    walk(meeting)
    return slots


SLOT_COUNT = len(_text_slots(typical()))


def _fill(meeting: Meeting, choices: list[tuple[int, str]], note: tuple[str, str]) -> None:
    slots = _text_slots(meeting)
    for index, text in choices:
        obj, name = slots[index % len(slots)]
        setattr(obj, name, f"x{text}" if (type(obj), name) in NOT_BLANK else text)
    meeting.notes[note[0]] = note[1]


def _round_trip(meeting: Meeting) -> Meeting:
    with tempfile.TemporaryDirectory() as folder:
        store = FolderStore(Path(folder))
        store.save(meeting)
        raw = store.path(meeting.id).read_bytes()
        raw.decode("utf-8")  # strict: the file is always valid UTF-8
        return store.load(meeting.id)


def test_every_text_field_is_found() -> None:
    assert SLOT_COUNT > 100  # the typical example fills most parts of the record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    choices=st.lists(st.tuples(st.integers(0, 10_000), st.text(max_size=300)), max_size=12),
    note=st.tuples(st.text(max_size=30), st.text(max_size=100)),
)
def test_any_unicode_in_any_text_field_saves_and_loads_back_exactly(
    choices: list[tuple[int, str]], note: tuple[str, str]
) -> None:
    """st.text() brings control characters, NUL, RTL marks, emoji, U+FFFF… (not surrogates)."""
    meeting = typical()
    _fill(meeting, choices, note)
    loaded = _round_trip(meeting)
    assert loaded == meeting
    final = {index % SLOT_COUNT: text for index, text in choices}  # the last write wins
    slots = _text_slots(loaded)
    for index, text in final.items():
        obj, name = slots[index]
        assert getattr(obj, name) in (text, f"x{text}")


SURROGATE_TEXT = st.text(
    alphabet=st.characters(categories=["Cs"]) | st.characters(), min_size=1, max_size=50
)


@settings(max_examples=40, deadline=None)
@given(choices=st.lists(st.tuples(st.integers(0, 10_000), SURROGATE_TEXT), min_size=1, max_size=6))
def test_a_lone_surrogate_never_stops_a_save_it_becomes_the_replacement_character(
    choices: list[tuple[int, str]],
) -> None:
    """Undecodable terminal bytes arrive as lone surrogates, which UTF-8 cannot hold: each is
    saved as U+FFFD and the text around it is kept; the caller's copy matches the file."""
    meeting = typical()
    _fill(meeting, choices, ("key\udc80", "value\ud800"))
    loaded = _round_trip(meeting)
    assert loaded == meeting  # save replaced them in memory too
    assert loaded.notes["key\ufffd"] == "value\ufffd"
    final = {index % SLOT_COUNT: text for index, text in choices}
    slots = _text_slots(loaded)
    for index, text in final.items():
        obj, name = slots[index]
        expected = re.sub("[\ud800-\udfff]", "\ufffd", text)
        assert getattr(obj, name) in (expected, f"x{expected}")


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_surrogate_escape_written_by_another_tool_loads_as_the_replacement_character(
    store: FolderStore, saved: Meeting
) -> None:
    path = store.path(saved.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["reason"] = "before \ud83d after \ud83d\ude00"  # lone high surrogate, then a real pair
    path.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii: \\ud83d escapes
    loaded = store.load(saved.id)
    assert loaded.reason == "before \ufffd after \U0001f600"
    store.save(loaded)
    assert store.load(saved.id).reason == loaded.reason


def _big_text(seed: int, size: int = 100_000) -> str:
    rng = random.Random(seed)
    planes = [(0, 0x7F), (0x80, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF)]
    out = []
    for _ in range(size):
        low, high = rng.choice(planes)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_100_kb_strings_save_load_and_show_exactly(
    runner: CliRunner, store: FolderStore, typical_meeting: Meeting
) -> None:
    texts = [_big_text(seed) for seed in range(4)]
    m = typical_meeting
    m.reason, m.children[0].voice, m.actions[0].what = texts[0], texts[1], "x" + texts[2]
    m.notes[texts[3][:1000]] = texts[3]
    store.save(m)
    assert store.load(m.id) == m
    shown = runner.invoke(app, ["show", m.id, "--json"])
    assert shown.exit_code == 0, shown.output[-500:]
    data = json.loads(shown.stdout)
    assert data["reason"] == texts[0] and data["children"][0]["voice"] == texts[1]


@pytest.mark.parametrize("text", TEMPLATE_SYNTAX)
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_template_syntax_in_user_text_is_stored_as_typed(store: FolderStore, text: str) -> None:
    meeting = typical()
    meeting.reason = text
    meeting.children[0].voice = text
    meeting.actions[0].what = text
    store.save(meeting)
    raw = store.path(meeting.id).read_text(encoding="utf-8")
    assert json.dumps(text, ensure_ascii=False) in raw
    loaded = store.load(meeting.id)
    assert loaded.reason == loaded.children[0].voice == loaded.actions[0].what == text


@pytest.mark.parametrize(
    "field",
    [
        "reason",
        "voice",
        "risk",
        "action",
    ],
)
def test_strat_show_prints_markup_in_user_text_literally(
    runner: CliRunner,
    store: FolderStore,
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a crash log stays in tmp_path
    meeting = typical()
    text = "[bold]kept[/bold] [/] [link=file:///etc/passwd]x[/link]"
    if field == "reason":
        meeting.reason = text
    elif field == "voice":
        meeting.children[0].voice = text
    elif field == "risk":
        meeting.risk.summary = text
    else:
        meeting.actions[0].what = text
    store.save(meeting)
    monkeypatch.setenv("COLUMNS", "400")  # rich sizes its tables from this, not from the runner
    result = runner.invoke(app, ["show", meeting.id])
    assert result.exit_code == 0, result.output[-300:]
    assert "[bold]kept[/bold] [/]" in result.output


# --- documents --------------------------------------------------------------------------------


def _docx_text(path: Path) -> str:
    """All the text of a .docx, body, tables and headers, whitespace removed."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/")]
    text = "".join(
        re.sub(r"<[^>]+>", "", "".join(re.findall(r"<w:t(?: [^>]*)?>[^<]*</w:t>", xml)))
        for xml in parts
        if xml.lstrip().startswith("<?xml")
    )
    import html

    return "".join(html.unescape(text).split())


def _render(meeting: Meeting, folder: Path) -> str:
    from strat_cli.agenda import get_agenda
    from strat_cli.render import render_documents
    from strat_cli.settings import load_settings

    settings_ = load_settings(folder / "store")
    paths = render_documents(
        meeting, get_agenda(meeting.agenda), settings_, ["all"], folder / "out"
    )
    assert len(paths) == 3
    return "\n".join(_docx_text(p) for p in paths)


def _squash(text: str) -> str:
    from strat_cli.views import clean

    return "".join(clean(text).split())


def test_template_syntax_in_user_text_reaches_documents_literally(tmp_path: Path) -> None:
    meeting = typical()
    meeting.reason = " | ".join(TEMPLATE_SYNTAX)
    meeting.actions[0].what = "{{ 7*7 }} and {% raw %}"
    text = _render(meeting, tmp_path)
    assert _squash(meeting.reason) in text
    assert _squash("{{ 7*7 }} and {% raw %}") in text


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(st.text(min_size=1, max_size=200), min_size=4, max_size=4))
def test_any_unicode_renders_into_every_document(texts: list[str], tmp_path: Path) -> None:
    """Control characters Word cannot hold are dropped; everything else arrives."""
    meeting = typical()
    meeting.reason = texts[0]
    meeting.children[0].voice = texts[1]
    meeting.actions[0].what = "x" + texts[2]
    meeting.decisions[0].rationale = texts[3]
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        text = _render(meeting, Path(folder))
    assert _squash(texts[0]) in text  # the minutes carry the reason
    assert _squash("x" + texts[2]) in text
    assert _squash(texts[3]) in text


# --- references that try to leave the store --------------------------------------------------


ESCAPES = [
    "../etc/passwd",
    "../../SD-2026-0001",
    "/tmp/SD-2026-0001",
    "SD-2026-0001/../../x",
    "SD-2026-0001\n",
    "SD-2026-0001\x00",
    "SD-٢٠٢٦-0001",  # Arabic-Indic digits: \d would take them
    "sd-2026-0001",
    "SD-2026-0001.json",
    "~/SD-2026-0001",
    "C:\\SD-2026-0001",
    "",
]


@pytest.mark.parametrize("bad", ESCAPES)
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_references_that_try_to_escape_are_refused_by_store_and_cli(
    runner: CliRunner, store: FolderStore, bad: str
) -> None:
    with pytest.raises(NotFound, match="not a meeting reference"):
        store.path(bad)
    if "\x00" in bad:
        return  # a NUL cannot be passed on a command line
    result = runner.invoke(app, ["show", bad])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "not a meeting reference" in result.output


def test_a_name_typed_where_a_reference_goes_is_not_repeated(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "Ellie Marsh"])
    assert result.exit_code == 1
    assert result.output == "Error: not a meeting reference: references look like SD-2026-0001\n"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_reference_is_refused_or_names_a_plain_file_in_the_store(reference: str) -> None:
    root = Path("/nonexistent/store")
    try:
        path = FolderStore(root).path(reference)
    except NotFound:
        return
    assert path.parent == root / "meetings"
    assert path.name == f"{check_id(reference)}.json" and path.name.isascii()


@pytest.mark.skipif(not POSIX, reason="symbolic links")
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_meeting_file_that_is_a_symlink_is_refused_and_its_target_never_written(
    runner: CliRunner, store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(store.path(saved.id).read_bytes())
    target_before = elsewhere.read_bytes()
    store.path(saved.id).unlink()
    store.path(saved.id).symlink_to(elsewhere)
    result = runner.invoke(app, ["show", saved.id])
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    with pytest.raises(InvalidRecord, match="symbolic link"), store.edit(saved.id):
        pass
    with pytest.raises(StratError, match="already exists"):
        store.create(saved)
    store.save(saved)  # a direct save replaces the link itself, never writes through it
    assert elsewhere.read_bytes() == target_before
    assert not store.path(saved.id).is_symlink()


@pytest.mark.skipif(not POSIX, reason="symbolic links")
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_lock_file_that_is_a_symlink_is_never_followed(
    store: FolderStore, saved: Meeting, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    lock = store.meetings / f".{saved.id}.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(victim)
    with pytest.raises(StratError), store.hold(saved.id):
        pass
    assert victim.read_text(encoding="utf-8") == "keep me"


@pytest.mark.skipif(not POSIX, reason="symbolic links")
def test_a_meetings_folder_that_is_a_symlink_is_followed_and_kept_private(
    tmp_path: Path, typical_meeting: Meeting
) -> None:
    """Decision: a store or meetings folder may be a link (to an encrypted volume, say); strat
    follows it and keeps the real folder private. Only meeting and lock files must be real."""
    real = tmp_path / "encrypted-volume" / "meetings"
    real.mkdir(parents=True, mode=0o755)
    os.chmod(real, 0o755)
    root = tmp_path / "linked-store"
    root.mkdir()
    (root / "meetings").symlink_to(real, target_is_directory=True)
    store = FolderStore(root)
    store.save(typical_meeting)
    assert (real / f"{typical_meeting.id}.json").is_file()
    assert store.load(typical_meeting.id) == typical_meeting
    assert real.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(not POSIX, reason="special files")
@pytest.mark.folder_only(reason="checks the folder store's own files")
def test_a_meeting_path_that_is_a_pipe_or_folder_is_refused_without_blocking(
    store: FolderStore,
) -> None:
    os.mkfifo(store.path("SD-2026-0007"))
    store.path("SD-2026-0008").mkdir()
    for ref in ("SD-2026-0007", "SD-2026-0008"):
        with pytest.raises(InvalidRecord, match="not a regular file"):
            store.load(ref)
