"""Pure-Python extraction of translatable messages (no GNU gettext needed), as makemessages would see them.

- Python files: `ast`, calls to gettext, gettext_lazy, _, ngettext, ngettext_lazy, pgettext,
  pgettext_lazy, npgettext, npgettext_lazy, gettext_noop with literal strings.
- Templates: Django's own `templatize` (what makemessages feeds xgettext), then the same calls found
  with `tokenize` (templatize's output is a stream of tokens, not a parseable module).

A message is keyed (msgctxt, msgid) with its msgid_plural, as in a .po file.
"""

import ast
import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES = ("et", "nl", "es", "fi")
ALL_LANGUAGES = (SOURCE_LANGUAGE, *TARGET_LANGUAGES)
CATALOGUE = ROOT / "locale" / "{language}" / "LC_MESSAGES" / "django.po"

# Where the project's own code and templates live (makemessages' --ignore list, spelled positively).
SKIP_DIRS = {".venv", "venv", "node_modules", "staticfiles", "static", "tests", "migrations", "bench", "var",
             "media", "test-artifacts", "locale", "__pycache__", ".git", "docs", "control"}
TEMPLATE_SUFFIXES = {".html", ".txt"}  # makemessages' default extensions

# name -> (index of msgctxt or None, index of msgid, index of msgid_plural or None)
FUNCTIONS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "_": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


@dataclass(frozen=True)
class Message:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


@dataclass
class Found:
    message: Message
    where: set[str] = field(default_factory=set)


@dataclass
class NonLiteral:
    """A translation call that makemessages cannot extract (the message never reaches a catalogue)."""

    where: str
    function: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.function}(): {self.why}"


def project_files(root: Path = ROOT) -> tuple[list[Path], list[Path]]:
    """(python files, template files) of the project, skipping tests, migrations, vendored and built files."""
    python, templates = [], []
    stack = [root]
    while stack:
        directory = stack.pop()
        for path in sorted(directory.iterdir()):
            if path.is_dir():
                if path.name not in SKIP_DIRS and not path.name.startswith("."):
                    stack.append(path)
            elif path.suffix == ".py":
                python.append(path)
            elif path.suffix in TEMPLATE_SUFFIXES and "templates" in path.relative_to(root).parts:
                templates.append(path)
    return python, templates


def _function_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def messages_in_python(source: str, where: str) -> tuple[list[tuple[Message, str]], list[NonLiteral]]:
    """Literal messages, and calls whose message is not a literal (an f-string, a % or a .format())."""
    found, non_literal = [], []
    tree = ast.parse(source, filename=where)
    in_fstring = {id(n) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for n in ast.walk(f)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _function_name(node.func)
        if name not in FUNCTIONS:
            continue
        ctx_i, id_i, plural_i = FUNCTIONS[name]
        args = node.args
        if len(args) <= id_i:
            continue
        msgid = _literal(args[id_i])
        location = f"{where}:{node.lineno}"
        if id(node) in in_fstring:
            # xgettext 0.21 does not look inside f-strings: makemessages would never extract it.
            non_literal.append(NonLiteral(location, name, "inside an f-string"))
            continue
        if msgid is None:
            if isinstance(args[id_i], ast.JoinedStr | ast.BinOp) or (
                isinstance(args[id_i], ast.Call) and _function_name(args[id_i].func) == "format"
            ):
                non_literal.append(NonLiteral(location, name, "message is not a literal string"))
            continue
        msgctxt = _literal(args[ctx_i]) if ctx_i is not None else None
        plural = _literal(args[plural_i]) if plural_i is not None and len(args) > plural_i else None
        if ctx_i is not None and msgctxt is None:
            continue
        found.append((Message(msgid, msgctxt, plural), location))
    return found, non_literal


def messages_in_template(source: str, where: str) -> list[tuple[Message, str]]:
    from django.utils.translation.template import templatize

    # templatize keeps the template's line structure; its indentation means nothing to Python.
    code = "\n".join(line.lstrip() for line in templatize(source, origin=where).splitlines()) + "\n"
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    found = []
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in FUNCTIONS:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        args, current, j = [], [], i + 2
        while j < len(tokens) and tokens[j].string != ")":
            if tokens[j].string == ",":
                args.append(current)
                current = []
            else:
                current.append(tokens[j])
            j += 1
        args.append(current)
        values = [
            "".join(ast.literal_eval(t.string) for t in arg) if arg and all(t.type == tokenize.STRING for t in arg)
            else None
            for arg in args
        ]
        ctx_i, id_i, plural_i = FUNCTIONS[token.string]
        if len(values) <= id_i or values[id_i] is None:
            continue
        msgctxt = values[ctx_i] if ctx_i is not None else None
        plural = values[plural_i] if plural_i is not None and len(values) > plural_i else None
        found.append((Message(values[id_i], msgctxt, plural), f"{where}:{token.start[0]}"))
    return found


def project_messages(root: Path = ROOT) -> tuple[dict[tuple, Found], list[NonLiteral]]:
    python, templates = project_files(root)
    messages: dict[tuple, Found] = {}
    non_literal: list[NonLiteral] = []

    def add(message: Message, location: str) -> None:
        entry = messages.setdefault(message.key, Found(message))
        entry.where.add(location)

    for path in python:
        where = str(path.relative_to(root))
        found, bad = messages_in_python(path.read_text(encoding="utf-8"), where)
        non_literal.extend(bad)
        for message, location in found:
            add(message, location)
    for path in templates:
        where = str(path.relative_to(root))
        for message, location in messages_in_template(path.read_text(encoding="utf-8"), where):
            add(message, location)
    return messages, non_literal


@dataclass
class Problem:
    language: str
    kind: str  # "missing", "untranslated", "fuzzy", "plural missing"
    message: Message
    where: set[str]

    def __str__(self) -> str:
        context = f" [context {self.message.msgctxt!r}]" if self.message.msgctxt else ""
        first = sorted(self.where)[0] if self.where else "?"
        return f"{self.language}: {self.kind}: {self.message.msgid!r}{context} ({first})"


def catalogue_problems(messages: dict[tuple, Found], language: str, po_path: Path | None = None) -> list[Problem]:
    """What `language`'s django.po lacks. English, the source language, needs every msgid present
    (so the pipeline covers it) but no msgstr: an empty msgstr falls back to the English msgid."""
    import polib

    po_path = po_path or Path(str(CATALOGUE).format(language=language))
    if not po_path.exists():
        return [Problem(language, "no catalogue", Message(str(po_path)), set())]
    catalogue = polib.pofile(str(po_path))
    entries = {(e.msgctxt or None, e.msgid): e for e in catalogue if not e.obsolete}
    problems = []
    for key, found in sorted(messages.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")):
        entry = entries.get(key)
        if entry is None:
            problems.append(Problem(language, "missing", found.message, found.where))
            continue
        if language == SOURCE_LANGUAGE:
            continue
        if "fuzzy" in entry.flags:
            problems.append(Problem(language, "fuzzy", found.message, found.where))
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(v.strip() for v in entry.msgstr_plural.values()):
                problems.append(Problem(language, "untranslated", found.message, found.where))
        elif not entry.msgstr.strip():
            problems.append(Problem(language, "untranslated", found.message, found.where))
    return problems
