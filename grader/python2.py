"""Python 2 constructs in a student's code: what each is called and what Python 3 wants instead.

Pure and trusted-side (used by :mod:`grader.cell_problems`). Syntax is recognised from the
SyntaxError Python 3 raises and the offending line; :func:`scan` repairs each recognised
line in a copy of the source and parses again, so it finds every Python 2 line of a file,
then walks the repaired tree for Python 2 names (``xrange``, ``dict.has_key``...). Nothing
is executed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from grader.loading import MAX_PARSED_TOKENS, syntax_size

MAX_LISTED = 5  # other Python 2 lines named in a sentence
MAX_REPAIRS = 60
MAX_PARSED_CHARS = 4_000_000  # a long file gets fewer repair rounds

# Modules renamed or removed in Python 3 -> what Python 3 has.
MODULES = {"cPickle": "pickle", "urllib2": "urllib.request", "StringIO": "io.StringIO",
           "cStringIO": "io.StringIO", "ConfigParser": "configparser", "Queue": "queue",
           "Tkinter": "tkinter", "tkMessageBox": "tkinter.messagebox", "commands": "subprocess",
           "httplib": "http.client", "urlparse": "urllib.parse", "HTMLParser": "html.parser",
           "__builtin__": "builtins", "cookielib": "http.cookiejar", "SocketServer": "socketserver",
           "xmlrpclib": "xmlrpc.client", "copy_reg": "copyreg", "md5": "hashlib", "sets": "set"}
# Builtins Python 3 removed. Weak ones are also common variable names: only a call counts.
NAMES = {"xrange": "range", "unicode": "str", "basestring": "str", "unichr": "chr",
         "raw_input": "input(), which grading cannot answer: set the value in the code",
         "execfile": "exec(open(...).read())"}
WEAK_NAMES = {"long": "int", "file": "open", "reduce": "functools.reduce",
              "reload": "importlib.reload", "cmp": "(a > b) - (a < b)", "apply": "f(*args)",
              "buffer": "memoryview", "intern": "sys.intern"}
METHODS = {"has_key": "'key in d'", "iteritems": ".items()", "itervalues": ".values()",
           "iterkeys": ".keys()", "viewitems": ".items()", "viewvalues": ".values()",
           "viewkeys": ".keys()"}
MODULE_ATTRIBUTES = {("string", "letters"): "string.ascii_letters",
                     ("string", "lowercase"): "string.ascii_lowercase",
                     ("string", "uppercase"): "string.ascii_uppercase",
                     ("string", "maketrans"): "str.maketrans", ("sys", "maxint"): "sys.maxsize",
                     ("itertools", "izip"): "zip", ("itertools", "imap"): "map",
                     ("itertools", "ifilter"): "filter",
                     ("itertools", "izip_longest"): "itertools.zip_longest",
                     ("os", "getcwdu"): "os.getcwd", ("urllib", "urlopen"): "urllib.request.urlopen",
                     ("urllib", "urlretrieve"): "urllib.request.urlretrieve",
                     ("urllib", "urlencode"): "urllib.parse.urlencode",
                     ("urllib", "quote"): "urllib.parse.quote"}

_STRING = re.compile(r"([uUbBrRfF]{0,2})('''|\"\"\"|'|\")(?:\\.|(?!\2).)*?\2")


def code_only(text: str) -> str:
    """The line with its string literals emptied (prefixes kept) and its comment removed."""
    text = _STRING.sub(lambda m: m[1] + m[2] + m[2], text)
    return text.split("#", 1)[0]


def _statement(line: str) -> str:
    """The repair of a Python 2 statement: the line becomes ``pass`` at its indentation."""
    return line[:len(line) - len(line.lstrip())] + "pass"


@dataclass(frozen=True)
class Syntax:
    """A Python 2 construct behind a SyntaxError: ``message`` and ``text`` are regexes."""

    message: str
    text: str | None
    construct: str  # formatted with the text's match as ``m``
    fix: str
    repair: Callable[[str], str] | None  # None: the scan stops here


def _sub(pattern: str, replacement: str) -> Callable[[str], str]:
    return lambda line: re.sub(pattern, replacement, line)


SYNTAX = (
    Syntax(r"Missing parentheses in call to 'print'", None, "print statement",
           "Python 3 needs print(...)", _statement),
    Syntax(r"Missing parentheses in call to 'exec'", None, "exec statement",
           "Python 3 needs exec(...)", _statement),
    Syntax(r"multiple exception types must be parenthesized", r"\bexcept\b[^:]*,\s*\w+\s*:",
           "'except X, e:'", "Python 3 needs 'except X as e:'", _sub(r",\s*(\w+)\s*:", r" as \1:")),
    Syntax(r"leading zeros in decimal integer literals", r"\b0(\d+)\b", "octal number {m[0]}",
           "Python 3 writes 0o{m[1]}", _sub(r"\b0(\d+)\b", r"0o\1")),
    Syntax(r"invalid decimal literal", r"\b(\d+)[lL]\b", "long number {m[0]}",
           "Python 3 writes {m[1]}", _sub(r"\b(\d+)[lL]\b", r"\1")),
    Syntax(r"parameters cannot be parenthesized", None, "tuple parameter",
           "Python 3 takes one name per parameter and unpacks it in the body", None),
    Syntax(r"invalid syntax", r"`", "backticks", "Python 3 needs repr(...)", _sub("`", "'")),
    Syntax(r"invalid syntax", r"<>", "operator <>", "Python 3 needs !=", _sub("<>", "!=")),
    Syntax(r"invalid syntax", r"(?<![\w'\"])[uU][rR](?=['\"])", "string prefix ur",
           "Python 3 has r'...'", _sub(r"(?<![\w'\"])[uU]([rR])(?=['\"])", r"\1")),
    Syntax(r"invalid syntax", r"^\s*raise\s+[\w.]+\s*,", "'raise E, message'",
           "Python 3 needs raise E(message)", _statement),
)


def classify_syntax(message: str, text: str) -> tuple[str, str, Callable[[str], str] | None] | None:
    """(construct, fix, repair) when a SyntaxError on ``text`` comes from Python 2 code."""
    code = code_only(text)
    for rule in SYNTAX:
        if not re.search(rule.message, message):
            continue
        match = re.search(rule.text, code) if rule.text else None
        if rule.text is None or match is not None:
            return rule.construct.format(m=match), rule.fix.format(m=match), rule.repair
    return None


def scan(source: str) -> tuple[list[tuple[int, str, str]], ast.Module | None]:
    """Every Python 2 line found in ``source`` as (line, construct, fix), and the repaired tree.

    The tree is None when the source does not parse once its Python 2 lines are repaired.
    """
    if syntax_size(source) > MAX_PARSED_TOKENS:  # what parsing it would cost the grader
        return [], None
    lines = source.splitlines()
    found: list[tuple[int, str, str]] = []
    for _ in range(min(MAX_REPAIRS, max(1, MAX_PARSED_CHARS // max(1, len(source))))):
        try:
            tree = ast.parse("\n".join(lines) + "\n")
        except SyntaxError as exc:
            number = exc.lineno or 0
            if not 0 < number <= len(lines):
                return found, None
            known = classify_syntax(exc.msg, lines[number - 1])
            if known is None:
                return found, None
            construct, fix, repair = known
            found.append((number, construct, fix))
            repaired = repair(lines[number - 1]) if repair is not None else None
            if repaired is None or repaired == lines[number - 1]:
                return found, None
            lines[number - 1] = repaired
            continue
        return found + names(tree), tree
    return found, None


def names(tree: ast.Module) -> list[tuple[int, str, str]]:
    """Python 2 names, methods, module attributes, modules and ``print >>f`` in a parsed tree."""
    bound = {n.id for n in ast.walk(tree)
             if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
              for a in n.args + n.kwonlyargs + n.posonlyargs}
    bound |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
              if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound:
            if node.id in NAMES:
                found.append((node.lineno, node.id, f"Python 3 has {NAMES[node.id]}"))
            elif node.id in WEAK_NAMES and id(node) in calls:
                found.append((node.lineno, f"{node.id}()", f"Python 3 has {WEAK_NAMES[node.id]}"))
        elif isinstance(node, ast.Attribute):
            module = node.value.id if isinstance(node.value, ast.Name) else None
            if node.attr in METHODS:
                found.append((node.lineno, f".{node.attr}()", f"Python 3 has {METHODS[node.attr]}"))
            elif (module, node.attr) in MODULE_ATTRIBUTES:
                found.append((node.lineno, f"{module}.{node.attr}",
                              f"Python 3 has {MODULE_ATTRIBUTES[(module, node.attr)]}"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""])
            for module in modules:
                if module.split(".")[0] in MODULES:
                    top = module.split(".")[0]
                    found.append((node.lineno, f"the module {top}", f"Python 3 has {MODULES[top]}"))
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift)
              and isinstance(node.left, ast.Name) and node.left.id == "print"):
            found.append((node.lineno, "'print >>f, ...'", "Python 3 needs print(..., file=f)"))
    return sorted(found)


def runtime(kind: str, message: str, code: str) -> tuple[str, str] | None:
    """(construct, fix) when a run-time error comes from Python 2 code; ``code`` is its line."""
    if kind == "NameError":
        name = re.match(r"name '(\w+)' is not defined", message)
        if name and name[1] in NAMES:
            return name[1], f"Python 3 has {NAMES[name[1]]}"
        if name and name[1] in WEAK_NAMES and re.search(rf"\b{name[1]}\s*\(", code):
            return f"{name[1]}()", f"Python 3 has {WEAK_NAMES[name[1]]}"
    elif kind == "AttributeError":
        module = re.match(r"module '(\w+)' has no attribute '(\w+)'", message)
        if module and (module[1], module[2]) in MODULE_ATTRIBUTES:
            return (f"{module[1]}.{module[2]}",
                    f"Python 3 has {MODULE_ATTRIBUTES[(module[1], module[2])]}")
        attribute = re.match(r"'([\w.]+)' object has no attribute '(\w+)'", message)
        if attribute and attribute[2] in METHODS:
            return f"{attribute[1]}.{attribute[2]}()", f"Python 3 has {METHODS[attribute[2]]}"
        if attribute and attribute[2] == "next" and re.search(r"\.next\(\s*\)", code):
            return ".next()", "Python 3 has next(iterator)"
        if attribute and attribute[1] == "str" and attribute[2] == "decode":
            return "str.decode()", "Python 3 strings are already text"
    elif kind in ("ModuleNotFoundError", "ImportError"):
        module = re.match(r"No module named '([\w.]+)'", message)
        top = module[1].split(".")[0] if module else ""
        if top in MODULES:
            return f"the module {top}", f"Python 3 has {MODULES[top]}"
    elif kind == "TypeError":
        if message.startswith("unsupported operand type(s) for >>: 'builtin_function_or_method'"):
            return "'print >>f, ...'", "Python 3 needs print(..., file=f)"
        view = re.match(r"'(dict_keys|dict_values|dict_items|map|filter|zip)' object is not "
                        r"subscriptable", message)
        if view:
            dict_view = view[1].startswith("dict_")
            called = view[1].replace("dict_", "dict.") + ("()" if dict_view else "(...)")
            return (f"indexing {called}", "Python 3 returns a view or an iterator: "
                    "index list(...) of it")
        if re.match(r"'cmp' is an invalid keyword argument", message):
            return "sort(cmp=...)", "Python 3 needs key=functools.cmp_to_key(...)"
    return None
