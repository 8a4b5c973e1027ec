"""One text store: every UI text lives in texts.yaml or messages.yaml, Danish first, then English.

The last tests scan the code of ``src/`` and ``dashboard/`` for the ways text used to be defined
in modules (a dict keyed "da"/"en", a table of (Danish, English) pairs, a text picked by
``if lang == ...``, a function of ``lang`` returning a literal text, an English and a Danish text
passed side by side to a call), so a new one is caught in review rather than found by a reader of
the English UI.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import yaml

from veu_metrics import i18n
from veu_metrics.periods import CUSTOM, LAST_12

ROOT = Path(__file__).resolve().parents[1]
SCANNED = (ROOT / "src", ROOT / "dashboard")
LANGS = {"da", "en"}

# (file, top-level name; "*" = the whole file) → why it may hold text pairs. Keep it tiny: a stale
# entry (nothing found there any more) fails test_allow_list_is_current.
ALLOWED: dict[tuple[str, str], str] = {
    ("src/veu_metrics/fetch.py", "TABLES"):
        "not UI text: Statistics Denmark's own titles of the tables it fetches (Danish and "
        "English, as the StatBank publishes them), recorded in the fetched file's source",
    ("src/veu_metrics/images.py", "_FORMAT_LOCALES"):
        "not text: the locale codes (da-DK, en-GB) vl-convert formats numbers with",
    ("src/veu_metrics/generate.py", "HIGHER_TOPICS"):
        "not UI text: synthetic course topics (two per industry group) written into the demo data",
}


# --- the store --------------------------------------------------------------------------------


def _raw(name: str) -> dict:
    return yaml.safe_load((resources.files("veu_metrics") / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", i18n.TEXT_FILES)
def test_every_key_has_danish_then_english_and_both_are_non_empty(name):
    raw = _raw(name)
    assert raw, f"{name} is empty"
    for key, entry in raw.items():
        assert isinstance(entry, dict) and list(entry) == ["da", "en"], f"{name}: {key}: {entry!r}"
        for lang in ("da", "en"):
            assert isinstance(entry[lang], str) and entry[lang].strip(), f"{name}: {key} ({lang})"


@pytest.mark.parametrize("name", i18n.TEXT_FILES)
def test_placeholders_agree_between_the_languages(name):
    for key, entry in _raw(name).items():
        assert i18n.placeholders(entry["da"]) == i18n.placeholders(entry["en"]), key


def test_a_key_lives_in_one_file_and_the_store_holds_them_all():
    files = [_raw(name) for name in i18n.TEXT_FILES]
    assert not set(files[0]) & set(files[1])
    assert set(i18n.texts()) == set(files[0]) | set(files[1])


def test_loader_refuses_different_placeholders():
    with pytest.raises(ValueError, match=r"'x' has different placeholders: da \['n'\]; en \['m'\]"):
        i18n.check_texts({"x": {"da": "{n} rækker", "en": "{m} rows"}})
    assert i18n.check_texts({"y": {"da": "{{n}} og {n}", "en": "{n} and {{n}}"}})


def test_section_is_one_modules_labels():
    labels = i18n.section("export", "en")
    assert labels["yes"] == "yes" and labels["definitions"] == "Definitions"
    assert set(labels) == set(i18n.section("export", "da"))


def test_danish_period_labels_are_the_link_values():
    # periods.preset_label shows a Danish preset as its link value: the store must agree.
    assert i18n.t("period.last_12", "da") == LAST_12
    assert i18n.t("period.custom", "da") == CUSTOM


# --- no text in code --------------------------------------------------------------------------


def _is_text(node: ast.AST | None, *, single_words: bool = False) -> bool:
    """A literal that reads as words, not as a column name, a format pattern or punctuation.

    A lone lowercase word ('kurser', 'md') could be an input alias or a code, so it counts only
    with ``single_words`` (where a language test picks it) or when it has a Danish letter."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        value = node.value
    elif isinstance(node, ast.JoinedStr):
        value = "".join(v.value for v in node.values
                        if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return False
    value = re.sub(r"%[-+ #0-9.]*[a-zA-Z%]", "", value)  # printf/strftime directives
    if not re.search(r"[^\W\d_]", value) or value in LANGS or re.fullmatch(r"\w*_\w*", value):
        return False  # no letters, a language code, a column name
    return (single_words or bool(re.search("[æøåÆØÅ]", value))
            or not re.fullmatch(r"[a-z0-9]*", value))


def _is_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


# Words that tell a short text's language (with æ/ø/å for Danish), for text pairs passed to calls.
DANISH_WORDS = {"og", "eller", "ikke", "en", "et", "af", "som", "til", "med", "der", "den", "det",
                "er", "på", "fra", "fx", "skal", "kan", "ingen", "højst", "mindst", "hver",
                "samme", "efter", "før", "mellem", "værdi", "kolonne", "række", "filen", "ukendt",
                "se", "ignoreret"}
ENGLISH_WORDS = {"the", "a", "an", "of", "or", "and", "is", "not", "to", "with", "by", "from",
                 "no", "at", "most", "must", "be", "can", "cannot", "read", "expected", "unknown",
                 "value", "one", "each", "more", "only", "every", "all", "as", "on", "this", "file",
                 "row", "rows", "column", "columns", "date", "number", "were", "into", "see",
                 "ignored", "codes"}


def _language(node: ast.AST) -> str | None:
    """"da" or "en" for a literal that reads as words of one language, else None."""
    if not _is_text(node):
        return None
    value = node.value if isinstance(node, ast.Constant) else "".join(
        v.value for v in node.values if isinstance(v, ast.Constant))  # type: ignore[attr-defined]
    words = set(re.findall(r"[^\W\d_]+", value.lower()))
    if words & DANISH_WORDS:
        return "da"
    if words & ENGLISH_WORDS:
        return "en"
    return "da" if re.search("[æøå]", value.lower()) else None


def _is_text_pair(first: ast.AST, second: ast.AST) -> bool:
    return {_language(first), _language(second)} == {"da", "en"}


def _text_pairs_in_call(call: ast.Call) -> Iterator[str]:
    """A 2-tuple of an English and a Danish text as an argument (``problems.error(file, kind,
    ("0 or more", "0 eller derover"))``), or the two side by side (``FilterError(key, value, en,
    da)``)."""
    for argument in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(argument, ast.Tuple) and len(argument.elts) == 2 \
                and _is_text_pair(*argument.elts):
            yield "(English, Danish) text pair passed to a call"
    for first, second in zip(call.args, call.args[1:], strict=False):
        if _is_text_pair(first, second):
            yield "English and Danish texts passed side by side to a call"


def _names_a_language(node: ast.AST) -> bool:
    return any(_is_str(n) and n.value in LANGS for n in ast.walk(node))


def _has_lang_parameter(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = function.args
    return any(a.arg == "lang" for a in [*arguments.posonlyargs, *arguments.args,
                                          *arguments.kwonlyargs])


def text_in_code(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, top-level name, pattern) of each UI text defined in the code."""
    tree = ast.parse(source)
    for statement in tree.body:
        name = _top_level_name(statement)
        for node in ast.walk(statement):
            for pattern in _patterns(node):
                yield node.lineno, name, pattern


def _top_level_name(statement: ast.stmt) -> str:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return statement.name
    targets = (statement.targets if isinstance(statement, ast.Assign)
               else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return names[0] if names else "<module>"


def _patterns(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Call):
        yield from _text_pairs_in_call(node)
    if isinstance(node, ast.Dict):
        if {k.value for k in node.keys if _is_str(k)} >= LANGS:
            yield 'dict keyed "da"/"en"'
        if len(node.values) >= 2 and all(
                isinstance(v, ast.Tuple) and len(v.elts) == 2 and all(_is_str(e) for e in v.elts)
                for v in node.values) and any(_is_text(e) for v in node.values for e in v.elts):
            yield "table of (Danish, English) text pairs"
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"
          and {k.arg for k in node.keywords} >= LANGS):
        yield "dict(da=..., en=...)"
    elif isinstance(node, ast.IfExp) and _names_a_language(node.test) and (
            _is_text(node.body, single_words=True) or _is_text(node.orelse, single_words=True)):
        yield "text picked by language"
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _has_lang_parameter(node):
        for inner in ast.walk(node):
            # a plain literal (an f-string here builds a name or a sentence from other texts)
            if isinstance(inner, ast.Return) and _is_str(inner.value) and _is_text(inner.value):
                yield f"{node.name}(lang) returns a literal text"


def _findings() -> list[tuple[str, int, str, str]]:
    found = []
    for folder in SCANNED:
        for file in sorted(folder.rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            for line, name, pattern in text_in_code(file.read_text(encoding="utf-8")):
                found.append((path, line, name, pattern))
    return found


def _allowed(path: str, name: str) -> bool:
    return (path, "*") in ALLOWED or (path, name) in ALLOWED


def test_no_ui_text_is_defined_in_code():
    found = [f"{path}:{line} ({name}): {pattern}" for path, line, name, pattern in _findings()
             if not _allowed(path, name)]
    assert not found, ("UI text belongs in texts.yaml (or messages.yaml for import problems), "
                       "read with i18n.t:\n" + "\n".join(found))


def test_allow_list_is_current():
    hits = {(path, name) for path, _, name, _ in _findings()}
    hit_files = {path for path, _ in hits}
    stale = [entry for entry in ALLOWED
             if (entry[1] == "*" and entry[0] not in hit_files) or (entry[1] != "*" and entry not in hits)]
    assert not stale, f"allow-list entries with nothing to allow any more: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


OLD_PATTERNS = {
    # maps._TEXT / exports._LABELS / meeting_pack._LABELS
    '_TEXT = {"no_data": {"da": "Ingen data", "en": "No data"}}': 'dict keyed "da"/"en"',
    '_LABELS = {"da": {"data": "Data"}, "en": {"data": "Data"}}': 'dict keyed "da"/"en"',
    # catalogue.UNIT_LABELS (da, en) and validation.MESSAGES (en, da)
    'UNIT_LABELS = {"courses": ("kurser", "courses"), "share": ("andel (%)", "share (%)")}':
        "table of (Danish, English) text pairs",
    'MESSAGES = {"no_files": ("no data files found", "ingen datafiler fundet"),\n'
    '            "negative": ("negative number", "negativt tal")}': "table of (Danish, English) text pairs",
    'NOT_GIVEN = dict(da="Ikke angivet", en="Not given")': "dict(da=..., en=...)",
    # catalogue.Measure.help_text, cli's "published" line, columns' quarter
    'def f(lang):\n    return "Source" if lang == "en" else "Kilde"': "text picked by language",
    'print(("Offentliggjort {v}." if args.lang == "da" else "Published {v}.").format(v=1))':
        "text picked by language",
    "q = f\"{y} {'K' if lang == 'da' else 'Q'}{n}\"": "text picked by language",
    # periods.preset_label
    'def preset_label(preset, lang):\n    if preset == LAST_12:\n        return "Last 12 months"':
        "preset_label(lang) returns a literal text",
    # the expected texts of import problems and link problems, English first (ingest/rules.py,
    # ingest/readers.py, values.py, pipeline.py, integrity.py, ingest/publish.py, published.py,
    # limits.py, filters.py)
    'problems.add_rows(bad, "negative", column, ("0 or more", "0 eller derover"))':
        "(English, Danish) text pair passed to a call",
    'problems.error(name, "too_large", expected=(f"a file of at most {mb} MB",\n'
    '                                            f"en fil på højst {mb} MB"))':
        "(English, Danish) text pair passed to a call",
    'problems.error(name, "unreadable", ("cells Excel can read", "celler, Excel kan læse"))':
        "(English, Danish) text pair passed to a call",
    'raise FilterError(key, raw, "the month must be 01–12", "måneden skal være 01–12")':
        "English and Danish texts passed side by side to a call",
    'LimitProblem("too_many_columns", "300", f"at most {n} columns", f"højst {n} kolonner")':
        "English and Danish texts passed side by side to a call",
}

NOT_TEXT = [
    'column = "area_name_en" if lang == "en" else "area_name"',  # a column name
    'fmt = "%.0f %%" if lang == "da" else "%.0f%%"',  # a number format
    'sign = " %" if lang == "da" else "%"',
    'LANGUAGE_LABELS = {"Dansk": "da", "English": "en"}',  # languages named in their own language
    'ALIASES = {"month": ("maaned", "md"), "code": ("kode", "kommunekode")}',  # input aliases
    'def label(key, lang):\n    return t(key, lang)',
    'def name(area, lang):\n    return f"{t(\'file\', lang)}-{area}.html"',
    'p.add_argument("--lang", choices=("en", "da"), default="en")',  # language codes
    'FilterError(KEY, value, t("link.problem.x", "en"), t("link.problem.x", "da"))',  # keys
    'pl.format("højst seats ({}) deltagelser", "seats")',  # a Danish text and a column name
    'problems.error(name, kind, expect("covers_order", last=last), column="covers_from")',
    'normalize_name("Antal pladser", "antal_pladser")',  # a header and its normal form
]


@pytest.mark.parametrize("source", OLD_PATTERNS, ids=range(len(OLD_PATTERNS)))
def test_the_scan_catches_the_old_ways_of_defining_text(source):
    assert [pattern for _, _, pattern in text_in_code(source)] == [OLD_PATTERNS[source]]


@pytest.mark.parametrize("source", NOT_TEXT, ids=range(len(NOT_TEXT)))
def test_the_scan_leaves_code_that_is_not_text(source):
    assert list(text_in_code(source)) == []
