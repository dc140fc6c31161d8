"""YAML a person wrote (agendas, answers and prefill files, a record opened in `strat edit`),
read strictly: a field written twice is refused, not silently replaced by the second (a second
`actions:` block would drop the first), and aliases may not expand a small file into millions
of values (a 6 KB "billion laughs" file would otherwise take minutes and gigabytes)."""

from __future__ import annotations

import re
from typing import Any

import yaml

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
