"""The search query language of ``q``, parsed once and compiled for either backend.

``q`` holds words (all must match), ``"phrases"``, ``OR`` between alternatives, ``-word`` or
``NOT word`` to exclude, ``( … )`` to group, and the field prefixes ``title:``, ``keyword:``
and ``creator:`` before a word, phrase or group. Only the uppercase words ``OR``, ``AND`` and
``NOT`` standing alone are operators (never searched as text); lowercase ``or``/``not`` are
words. An unknown prefix (``foo:bar``) is text, as punctuation is: a word joined by
punctuation (``e-mail``, ``10.5281/zenodo.1234``) is a phrase of its words. Operators that
combine nothing (a trailing ``OR``, an unmatched parenthesis) are ignored.

The parser builds a small tree (:class:`Term`, :class:`And`, :class:`Or`, :class:`Not`); the
tree compiles to an FTS5 ``MATCH`` expression with column filters (SQLite) and to
``to_tsquery`` text with weight labels (PostgreSQL), so both backends answer the same question.

Every part of a query must find something itself: a query, group or ``OR`` alternative made
only of exclusions (``-word`` alone, ``a OR -b``) is refused (rule ``positive_term``), as is a
query of operators and no word (``operators_only``). More than :data:`MAX_WORDS` words is
``max_terms``; groups nested deeper than :data:`MAX_DEPTH` is ``max_depth``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from converge_common.errors import FieldError, InvalidInput

__all__ = [
    "FIELDS",
    "MAX_DEPTH",
    "MAX_WORDS",
    "And",
    "Node",
    "Not",
    "Or",
    "Term",
    "parse_query",
    "to_fts5",
    "to_tsquery",
]

MAX_WORDS: Final = 32
MAX_DEPTH: Final = 4

# field prefix -> (FTS5 column, PostgreSQL weight label of that column in record_search.tsv)
FIELDS: Final = {
    "title": ("title", "A"),
    "keyword": ("keywords", "B"),
    "creator": ("people", "C"),
}

# words as both backends' tokenizers split them: letters and digits (underscore separates)
_WORD = re.compile(r"[^\W_]+")
# a bare chunk of text runs to a space, a quote or a parenthesis
_CHUNK = re.compile(r'[^\s"()]+')
_PREFIX = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_OPERATORS = frozenset({"OR", "AND", "NOT"})


@dataclass(frozen=True)
class Term:
    """A word, or the words of a phrase in order, optionally within one field."""

    words: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | And | Or | Not


def _invalid(rule: str, message: str) -> InvalidInput:
    return InvalidInput(f"q: {message}", errors=[FieldError("/q", rule, message)])


# -- tokens ---------------------------------------------------------------------------------

# kinds: "words" (a bare chunk's words), "phrase", "field", "(", ")", "OR", "AND", "NOT", "-"
_Token = tuple[str, object]


def _tokens(q: str) -> list[_Token]:
    out: list[_Token] = []
    depth, at, size = 0, 0, len(q)
    while at < size:
        char = q[at]
        if char.isspace():
            at += 1
        elif char == '"':
            end = q.find('"', at + 1)
            end = size if end < 0 else end  # an unclosed quote runs to the end
            out.append(("phrase", tuple(_WORD.findall(q[at + 1 : end]))))
            at = end + 1
        elif char == "(":
            depth += 1
            out.append(("(", None))
            at += 1
        elif char == ")":
            if depth:  # an unmatched closing parenthesis is ignored
                depth -= 1
                out.append((")", None))
            at += 1
        else:
            found = _CHUNK.match(q, at)  # always found: this character is none of those
            end = found.end() if found else at + 1
            out += _chunk(q[at:end], joined=end < size and q[end] in '"(')
            at = end
    out += [(")", None)] * depth  # unclosed groups close at the end
    return out


def _chunk(chunk: str, *, joined: bool) -> list[_Token]:
    """The tokens of a bare chunk; ``joined`` when a quote or group follows without space."""
    if chunk in _OPERATORS:
        return [(chunk, None)]
    out: list[_Token] = []
    if chunk.startswith("-") and (len(chunk) > 1 or joined):
        out.append(("-", None))
        chunk = chunk[1:]
        if chunk in _OPERATORS:
            return [*out, (chunk, None)]
    prefix = _PREFIX.fullmatch(chunk)
    if prefix is not None and prefix.group(1).lower() in FIELDS:
        out.append(("field", prefix.group(1).lower()))
        chunk = prefix.group(2)
    words = tuple(_WORD.findall(chunk))
    if words:
        out.append(("words", words))
    return out


# -- parsing --------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def alternatives(self, depth: int) -> Node | None:
        items = [self.conjunction(depth)]
        while self.peek() == "OR":
            self.take()
            items.append(self.conjunction(depth))
        return _join(Or, [i for i in items if i is not None])

    def conjunction(self, depth: int) -> Node | None:
        items: list[Node] = []
        while (kind := self.peek()) not in (None, ")", "OR"):
            if kind == "AND":
                self.take()
                continue
            item = self.unary(depth)
            if item is not None:
                items.append(item)
        return _join(And, items)

    def unary(self, depth: int) -> Node | None:
        kind = self.peek()
        if kind in ("-", "NOT"):
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                return None  # a negation of nothing
            item = self.unary(depth)
            if item is None:
                return None
            return item.item if isinstance(item, Not) else Not(item)
        field = None
        if kind == "field":
            field = str(self.take()[1])
            if self.peek() not in ("words", "phrase", "("):
                return None  # a prefix of nothing
        return self.atom(depth, field)

    def atom(self, depth: int, field: str | None) -> Node | None:
        kind, value = self.take()
        if kind in ("words", "phrase"):
            words = value if isinstance(value, tuple) else ()
            return Term(tuple(str(w) for w in words), field) if words else None
        if kind == "(":
            if depth >= MAX_DEPTH:
                raise _invalid("max_depth", f"groups nest at most {MAX_DEPTH} deep")
            node = self.alternatives(depth + 1)
            if self.peek() == ")":
                self.take()
            return _in_field(node, field) if node is not None and field else node
        return None  # an operator where a word was expected: ignored


def _join(kind: type[And] | type[Or], items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        flat += item.items if isinstance(item, kind) else [item]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _in_field(node: Node, field: str) -> Node:
    """A group's field applies to its terms that name none of their own."""
    if isinstance(node, Term):
        return node if node.field else Term(node.words, field)
    if isinstance(node, Not):
        return Not(_in_field(node.item, field))
    return type(node)(tuple(_in_field(i, field) for i in node.items))


def _operators_only() -> InvalidInput:
    return _invalid("operators_only", "OR, AND, NOT, - and field prefixes need words to act on")


def _nothing_to_find() -> InvalidInput:
    return _invalid(
        "positive_term",
        "the query, each group and each OR alternative need a word or phrase to find; -word "
        "and NOT word only exclude from what the rest finds",
    )


def _positive(node: Node) -> bool:
    """Whether ``node`` finds records by itself; refuses a part that cannot (see module)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        _positive(node.item)
        return False
    found = [_positive(i) for i in node.items]
    if (isinstance(node, And) and any(found)) or (isinstance(node, Or) and all(found)):
        return True
    raise _nothing_to_find()


def _count(node: Node) -> int:
    if isinstance(node, Term):
        return len(node.words)
    if isinstance(node, Not):
        return _count(node.item)
    return sum(_count(i) for i in node.items)


def parse_query(q: str | None) -> Node | None:
    """The tree of ``q``; None when it holds no word (no query: every record matches).

    Raises :class:`InvalidInput` (pointer ``/q``) for a query of operators only, of exclusions
    only, with more than :data:`MAX_WORDS` words or groups deeper than :data:`MAX_DEPTH`."""
    if not q or q.isspace():
        return None
    tokens = _tokens(q)
    if not any(k in ("words", "phrase") and v for k, v in tokens):
        if any(k in ("OR", "AND", "NOT", "-", "field") for k, _ in tokens):
            raise _operators_only()
        return None  # punctuation only: no query
    parser = _Parser(tokens)
    node = parser.alternatives(0)
    if node is None:
        raise _operators_only()
    if _count(node) > MAX_WORDS:
        raise _invalid("max_terms", f"at most {MAX_WORDS} words")
    if not _positive(node):
        raise _nothing_to_find()
    return node


# -- compiling ------------------------------------------------------------------------------


def _split(items: tuple[Node, ...]) -> tuple[list[Node], list[Node]]:
    kept: list[Node] = [i for i in items if not isinstance(i, Not)]
    excluded = [i.item for i in items if isinstance(i, Not)]
    return kept, excluded


def to_fts5(node: Node) -> str:
    """An FTS5 ``MATCH`` expression (``record_search``'s columns); ``node`` passed
    :func:`parse_query`, so every ``NOT`` has something to subtract from."""
    if isinstance(node, Term):
        phrase = '"' + " ".join(node.words) + '"'
        return f"{FIELDS[node.field][0]} : {phrase}" if node.field else phrase
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(i) for i in node.items) + ")"
    if isinstance(node, Not):  # only inside a conjunction, which _split handles
        raise ValueError("a negation needs something to subtract from")
    kept, excluded = _split(node.items)
    found = " AND ".join(to_fts5(i) for i in kept)
    if not excluded:
        return f"({found})"
    return f"({found}) NOT (" + " OR ".join(to_fts5(i) for i in excluded) + ")"


def to_tsquery(node: Node) -> str:
    """Text for PostgreSQL's ``to_tsquery('english', …)``: a quoted word or phrase is
    normalised by the configuration (stemmed, stop words dropped), ``:A`` restricts it to the
    title's weight label (``B`` keywords, ``C`` people)."""
    if isinstance(node, Term):
        quoted = "'" + " ".join(node.words) + "'"
        return f"{quoted}:{FIELDS[node.field][1]}" if node.field else quoted
    if isinstance(node, Not):
        return f"!({to_tsquery(node.item)})"
    joiner = " | " if isinstance(node, Or) else " & "
    return "(" + joiner.join(to_tsquery(i) for i in node.items) + ")"
