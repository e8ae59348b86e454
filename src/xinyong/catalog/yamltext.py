"""YAML read with line numbers: mappings and sequences remember where each value stood.

`yaml.compose` gives nodes with marks; we build plain dicts and lists from them (subclasses
that carry the file and line numbers), so validation can say `file.yaml:LINE: message`.
Syntax errors, duplicate keys and unsupported merge keys become errors, never tracebacks.
"""

from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class CatalogError:
    """One problem in the catalog, printed as `path/to/file.yaml:LINE: message`."""

    path: str
    line: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class YMap(dict):
    """A mapping from the YAML file, with the line of each key and of each value."""

    file: str = ""
    line: int = 1

    def __init__(self, *args, file="", line=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.file, self.line = file, line
        self.key_lines: dict = {}
        self.value_lines: dict = {}

    def key_line(self, key) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key) -> int:
        return self.value_lines.get(key, self.key_line(key))


class YList(list):
    """A sequence from the YAML file, with the line of each element."""

    def __init__(self, *args, file="", line=1):
        super().__init__(*args)
        self.file, self.line = file, line
        self.lines: list[int] = []

    def item_line(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _Builder:
    def __init__(self, display: str):
        self.display = display
        self.errors: list[CatalogError] = []
        self.scalars = yaml.SafeLoader("")

    def error(self, node, message: str):
        self.errors.append(CatalogError(self.display, node.start_mark.line + 1, message))

    def build(self, node):
        if isinstance(node, MappingNode):
            return self.mapping(node)
        if isinstance(node, SequenceNode):
            return self.sequence(node)
        return self.scalar(node)

    def scalar(self, node: ScalarNode):
        try:
            return self.scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            self.error(node, f"cannot read value {node.value!r}: {exc}")
            return None

    def sequence(self, node: SequenceNode) -> YList:
        result = YList(file=self.display, line=node.start_mark.line + 1)
        for child in node.value:
            result.append(self.build(child))
            result.lines.append(child.start_mark.line + 1)
        return result

    def mapping(self, node: MappingNode) -> YMap:
        result = YMap(file=self.display, line=node.start_mark.line + 1)
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                self.error(key_node, "merge keys (<<) are not supported; write the keys out")
                continue
            key = self.build(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                self.error(key_node, f"duplicate key {key!r} (first at line "
                                     f"{result.key_lines[key]})")
                continue
            result[key] = self.build(value_node)
            result.key_lines[key] = key_node.start_mark.line + 1
            result.value_lines[key] = value_node.start_mark.line + 1
        return result


def _mark_line(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def _problem(exc: yaml.YAMLError) -> str:
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    text = ", ".join(p for p in parts if p)
    return f"YAML syntax error: {text or exc}"


def read_yaml(text: str, display: str) -> tuple[object, list[CatalogError]]:
    """Parse one YAML document; return (value, errors). The value is None on syntax errors."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return None, [CatalogError(display, _mark_line(exc), _problem(exc))]
    if node is None:
        return None, [CatalogError(display, 1, "file is empty")]
    builder = _Builder(display)
    value = builder.build(node)
    return value, builder.errors
