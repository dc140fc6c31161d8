"""The README stays true: its command reference is generated from `--help` and checked here.

Regenerate after changing a command: STRAT_UPDATE_DOCS=1 pytest tests/test_docs.py
"""

from __future__ import annotations

import os
import re

import typer.main

from strat_cli.cli import app

from .conftest import REPO

README = REPO / "README.md"
START, END = "<!-- commands:start -->", "<!-- commands:end -->"


def _walk(group: object, prefix: str) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name, command in getattr(group, "commands", {}).items():
        full = f"{prefix} {name}"
        found.append((full, command))
        found.extend(_walk(command, full))
    return found


def command_reference() -> str:
    """One section per command: its summary, options and example, all taken from --help."""
    parts = []
    for name, command in _walk(typer.main.get_command(app), "strat"):
        text = (getattr(command, "help", None) or "").strip()
        summary = text.splitlines()[0] if text else ""
        examples = re.findall(r"^\s*Example:\s*(.+)$", text, flags=re.MULTILINE)
        options = []
        for param in getattr(command, "params", []):
            opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
            if opts and getattr(param, "help", None):
                options.append(f"- `{', '.join(opts)}`: {param.help}")
        parts.append(f"### `{name}`\n\n{summary}\n")
        if options:
            parts.append("\n".join(options) + "\n")
        if examples:
            parts.append("```\n" + "\n".join(examples) + "\n```\n")
    return "\n".join(parts)


def test_readme_command_reference_matches_help() -> None:
    text = README.read_text(encoding="utf-8")
    before, rest = text.split(START)
    _, after = rest.split(END)
    expected = f"{before}{START}\n{command_reference()}{END}{after}"
    if os.environ.get("STRAT_UPDATE_DOCS"):
        README.write_text(expected, encoding="utf-8")
        return
    assert text == expected, (
        "README command reference is stale: STRAT_UPDATE_DOCS=1 pytest tests/test_docs.py"
    )


def test_quick_start_has_exactly_two_command_lines_and_ci_runs_the_test_one() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", quick, flags=re.DOTALL)
    lines = [line for block in blocks[:2] for line in block.strip().splitlines()]
    assert len(lines) == 2
    assert "strat new" in lines[0]
    assert "pytest" in lines[1]
    assert lines[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_every_test_reliability_md_cites_exists() -> None:
    """A guarantee is only as good as the test named beside it."""
    text = (REPO / "RELIABILITY.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/]+\.py)::(\w+)", text)
    assert len(cited) > 20
    missing = [
        f"{path}::{name}"
        for path, name in cited
        if not re.search(rf"^def {name}\(", (REPO / path).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == []
