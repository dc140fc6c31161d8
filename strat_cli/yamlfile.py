"""YAML a person wrote (agendas, answers and prefill files, a record opened in `strat edit`),
read strictly: a field written twice is refused, not silently replaced by the second (a second
`actions:` block would drop the first), and aliases may not expand a small file into millions
of values (a 6 KB "billion laughs" file would otherwise take minutes and gigabytes).

Files brought in from outside (`strat import`, answers and prefill files) are read here too:
once, up to a size limit (a folder, a pipe, /dev/zero each get their own answer), and JSON with
the same rule for a key written twice. The store's own files are not: they are strat's, and
read on every command."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, NotFound

# Every value counted as often as aliases repeat it. The largest real files (an agenda at its
# size limit, a long meeting in `strat edit`) hold a few tens of thousands.
MAX_VALUES = 200_000
# What a field name looks like: a key that does not may be typed text (a name), never echoed.
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")


class _Strict:
    """The rules, mixed into a pure-Python and a libyaml loader."""

    def construct_document(self, node: yaml.Node) -> Any:
        _check_expanded_size(node)
        return super().construct_document(node)  # type: ignore[misc]


def _check_expanded_size(root: yaml.Node) -> None:
    """Count values as aliases expand them; stop at the limit (a recursive alias too)."""
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the file expands to more than {MAX_VALUES:,} values (aliases repeated?)",
                node.start_mark,
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _no_duplicate_fields(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str | int | float | bool | None):  # e.g. `? [a, b]`
            raise yaml.constructor.ConstructorError(
                None, None, "a field name must be plain text", key_node.start_mark
            )
        if key in seen:  # a key that is not a field name may be typed text: never echo it
            name = f"field {key!r}" if FIELD_NAME.match(str(key)) else "a field"
            raise yaml.constructor.ConstructorError(
                None, None, f"{name} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


def _real_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A date or time written without quotes (`date_of_birth: 2019-02-29`) is read by PyYAML
    itself, which raises a bare ValueError for one that does not exist: refused here with
    its line, like any other fault in the file (never the typed value)."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, "not a real date or time", node.start_mark
        ) from None


class _StrictLoader(_Strict, yaml.SafeLoader):
    """Pure Python: the messages people see."""


class _FastStrictLoader(_Strict, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same rules on libyaml's parser when PyYAML has it: ~10x faster, which every command
    that reads the agendas feels. A file it refuses is read again by _StrictLoader, so the
    messages a council sees do not depend on how PyYAML was built."""


for _loader in (_StrictLoader, _FastStrictLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_fields)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _real_timestamp)


def load_yaml(text: str) -> Any:
    """Parse strictly; raises yaml.YAMLError (see `problem`) on any fault."""
    try:
        try:
            return yaml.load(text, Loader=_FastStrictLoader)
        except yaml.YAMLError:
            return yaml.load(text, Loader=_StrictLoader)
    except RecursionError:  # [[[[…]]]] thousands deep: PyYAML builds nested values recursively
        raise yaml.constructor.ConstructorError(
            None, None, "the file is nested too deeply", None
        ) from None


def problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line (1-based) and a short description of a YAML fault, for one error line."""
    mark = getattr(exc, "problem_mark", None)
    return (mark.line + 1 if mark is not None else None), (
        getattr(exc, "problem", None) or "not valid YAML"
    )


# The largest file brought in. A real record is well under 1 MB (the large example, 150 actions,
# is ~200 KB); anything far bigger is a wrong file, or /dev/zero, and is not read to the end.
MAX_FILE_BYTES = 20 * 1024 * 1024


def read_outside(path: Path) -> bytes:
    """The bytes of a file brought in, read once: a pipe (`<(cat meeting.json)`) is read as it
    comes; a folder, a missing file or one over MAX_FILE_BYTES is named as such, in one line."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"{path}: is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, far beyond any meeting "
            "file (a long one is under 1 MB); is it the right file?"
        )
    return data


class JsonProblem(ValueError):
    """Why a JSON file from outside cannot be read, and the line where it is known."""

    def __init__(self, why: str, line: int | None = None, key: str | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.line = line
        self.key = key  # the key written twice, to find its line; never shown


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON keeps the last of two equal keys silently; refuse, as the YAML loader does."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:  # a key that is not a field name may be typed text: never echo it
            name = f"field {key!r}" if FIELD_NAME.match(key) else "a field"
            raise JsonProblem(f"{name} appears twice", key=key)
        data[key] = value
    return data


_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:]')


def _second_key_line(data: bytes, key: str | None) -> int | None:
    """The line where `key` is written a second time in one object: json's hook is not told
    where it is, so the text is walked again (only when a file is refused)."""
    stack: list[set[bytes] | None] = []  # the keys of each open object; None for a list
    tokens = list(_TOKEN.finditer(data))
    for n, token in enumerate(tokens):
        text = token.group()
        if text == b"{":
            stack.append(set())
        elif text == b"[":
            stack.append(None)
        elif text in (b"}", b"]"):
            if stack:
                stack.pop()
        elif text.startswith(b'"') and n + 1 < len(tokens) and tokens[n + 1].group() == b":":
            keys = stack[-1] if stack else None
            if keys is not None:
                if text in keys and json.loads(text) == key:
                    return data.count(b"\n", 0, token.start()) + 1
                keys.add(text)
    return None


# A run of digits longer than Python reads as a number (sys.get_int_max_str_digits, 4300).
_LONG_NUMBER = re.compile(rb"[0-9]{4301,}")
NUMBER_TOO_LONG = "a number is too long (more than 4,300 digits)"


def load_json(data: bytes) -> Any:
    """Parse JSON from outside strictly: a key written twice, or a number too long to read,
    raises JsonProblem (with the line where it is known); json.JSONDecodeError as it comes."""
    try:
        return json.loads(data, object_pairs_hook=_refuse_duplicates)
    except JsonProblem as exc:
        raise JsonProblem(exc.why, _second_key_line(data, exc.key)) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except ValueError:  # int() refuses a number of more than 4300 digits
        found = _LONG_NUMBER.search(data)
        line = data.count(b"\n", 0, found.start()) + 1 if found else None
        raise JsonProblem(NUMBER_TOO_LONG, line) from None
