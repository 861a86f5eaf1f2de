"""The fuzzer's catalogue of hostile values: YAML scalars and blocks, Python values, config paths, CSV cells."""

from __future__ import annotations

from typing import Any

# Markers the output oracles look for: each can only reach an output through a mutation.
SECRET = "FUZZ-SECRET-7f3a9c"  # in every file of the sentinel folder beside the project
MENTION = "@fuzz-mention"
MD_IMAGE = "![fuzz](https://evil.example/x.png)"
MD_LINK = "[fuzz](https://evil.example/)"
HTML_TAG = "<script>fuzz()</script>"
WORKFLOW_COMMANDS = ("::error title=fuzz::injected", "::add-mask::fuzz", "##[error]fuzz")

BIG_DIGITS = "9" * 4301  # one digit past Python's int/str conversion limit


def nested_flow(depth: int, leaf: str = "1") -> str:
    """A flow sequence nested depth levels: [[[1]]]."""
    return "[" * depth + leaf + "]" * depth


def nested_flow_map(depth: int) -> str:
    """A flow mapping nested depth levels: {a: {a: 1}}."""
    return "{a: " * depth + "1" + "}" * depth


def yaml_scalars(outside: str) -> list[str]:
    """Hostile YAML text to put where a scalar value stands (one line each).

    outside is the absolute path of the sentinel folder beside the project.
    """
    return [
        "!!int 'abc'",
        "!!float 'abc'",
        "!!bool maybe",
        "!!timestamp 2001-13-45",
        "!!timestamp 2001-12-14t21:59:43.10-99:99",
        "!!null 'x'",
        "!!str",
        "!!binary 'not base64!'",
        "!!set {a, b}",
        "!!omap [a: 1, a: 2]",
        "!!python/object/apply:os.system ['echo pwned']",
        "!!python/name:os.system",
        "!custom-tag value",
        "!<tag:yaml.org,2002:int> 'zz'",
        BIG_DIGITS,
        "-" + BIG_DIGITS,
        "0x" + "f" * 4000,
        "1e309",
        "-1e309",
        ".inf",
        "-.inf",
        ".nan",
        ".NaN",
        "0o8",
        "0b102",
        "1_000",
        "12:30:45",
        "2001-12-14",
        "0",
        "-1",
        "2147483648",
        "9223372036854775808",
        "18446744073709551616",
        "~",
        "null",
        "''",
        '""',
        "yes",
        "off",
        '"\\0"',
        '"a\\0b"',
        '"\\uD800"',
        '"\\uDFFF\\uD800"',
        '"\\U0010FFFF"',
        '"\\x1b[31mred\\x1b[0m"',
        '"\\u202eevil\\u202c"',
        '"zero\\u200bwidth"',
        '"\\uFEFFbom"',
        '"ǅ\\u0301"',
        '"line\\nbreak"',
        '"trailing\\n"',
        '"trailing\\r\\n"',
        '"tab\\there"',
        f"'{WORKFLOW_COMMANDS[0]}'",
        f"'{WORKFLOW_COMMANDS[1]}'",
        f"'{WORKFLOW_COMMANDS[2]}'",
        f'"x\\n{WORKFLOW_COMMANDS[0]}"',
        f"'{MENTION} please'",
        f"'{MD_IMAGE}'",
        f"'{MD_LINK}'",
        f"'{HTML_TAG}'",
        "'{{ 7 * 7 }}'",
        "'{% raw %}'",
        "'${HOME}'",
        "'%s%s%s%n'",
        "'../outside/secret.csv'",
        "'../../../../../../etc/passwd'",
        f"'{outside}/secret.csv'",
        f"'{outside}'",
        "/etc/passwd",
        "/dev/zero",
        "'^(a+)+$'",
        "'(x+x+)+y'",
        "'['",
        "'\\\\'",
        "2.0.1+1",
        "1.0.0-rc.1+build.5",
        '"1.0.0\\n"',
        "999999999999999999999.0.0",
        "01.02.03",
        "'" + "a" * 70_000 + "'",
        "'" + "é" * 5000 + "'",
        "*undefined_alias",
        "&a [*a]",
        "&b {k: *b}",
        nested_flow(300),
        nested_flow(1000),
        nested_flow_map(300),
        "[" * 50,
        "{a: 1, a: 2}",
        "[a, b",
        "'unterminated",
        '"bad escape \\q"',
        "|\n  block\n  text",
        "@reserved",
        "`backtick",
        "% directive",
        "- list item",
        "? complex",
    ]


def yaml_lines(outside: str) -> list[str]:
    """Hostile whole lines to insert into a YAML file (indentation is added by the caller)."""
    return [
        "? [a, b]",
        ": c",
        "? [a, b]\n: c",
        "? {x: 1}: y",
        "<<: *nowhere",
        "<<: [1, 2]",
        "<<: {spec: {}}",
        "%YAML 1.1",
        "%TAG ! tag:evil.example,2002:",
        "---",
        "...",
        "--- !!python/object:os.system",
        "apiVersion: modelspec/v1",
        "kind: Model",
        "kind: Kind-That-Does-Not-Exist",
        "metadata: {name: dup, name: dup2}",
        "spec: " + nested_flow(400),
        "\t- tab indented",
        "key: value # " + "#" * 1000,
        "x" * 100_000 + ": 1",
        "'\\u0000': nul key",
        "\x00",
        "\x07\x1b[2J",
        "\ufeff",
        "\u2028",
        "\x85",
        "a: &anchor " + nested_flow(200),
        "b: *anchor",
        "anchors: [&x 1, *x, *x, &x 2, *x]",
        f"include: {outside}/secret.yaml",
        "# " + WORKFLOW_COMMANDS[0],
        WORKFLOW_COMMANDS[0],
    ]


def alias_bomb(levels: int) -> str:
    """A YAML document whose aliases expand to 9**levels leaves (billion laughs)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        ref = f"*l{i - 1}"
        lines.append(f"l{i}: &l{i} [{', '.join([ref] * 9)}]")
    return "\n".join(lines) + "\n"


def whole_documents(outside: str) -> list[str]:
    """Hostile replacements for a whole YAML file."""
    return [
        "",
        "\n",
        "---\n---\n---\n",
        "...\n",
        "# only a comment\n",
        "null\n",
        "[]\n",
        "42\n",
        "'just a string'\n",
        nested_flow(1000) + "\n",
        nested_flow(5000) + "\n",
        "a:\n" + "".join("  " * i + "a:\n" for i in range(1, 400)) + "  " * 400 + "b: 1\n",
        "".join("  " * i + "- \n" for i in range(600)),
        "&a [*a]\n",
        "&a {self: *a}\n",
        alias_bomb(5),
        alias_bomb(7),
        "? [a, b]\n: c\n",
        "? - x\n  - y\n: z\n",
        "\x00\x01\x02\x03",
        "\xff\xfe\xfd",  # written as latin-1 bytes: invalid UTF-8
        "\ufeffapiVersion: modelspec/v1\nkind: Model\n",
        "apiVersion: modelspec/v1\nkind: Model\nmetadata: {name: x}\nspec: *missing\n",
        "%YAML 9.9\n---\na: 1\n",
        "--- !!python/object/apply:os.system ['echo pwned']\n",
        "- " * 300 + "x\n",
        "a: " + "b" * 2_000_000 + "\n",
        "\n".join(f"k{i}: {i}" for i in range(50_000)) + "\n",
        "---\n".join(f"kind: Waiver\nmetadata: {{name: w{i}}}\n" for i in range(3000)),
        f"apiVersion: modelspec/v1\nkind: DataContract\nmetadata: {{name: leak, owner: x}}\nspec:\n  version: 1.0.0\n  source: {{path: {outside}/secret.csv, format: csv}}\n  columns:\n    - {{name: id, type: string}}\n",
    ]


def python_values(outside: str) -> list[Any]:
    """Hostile values for a parsed spec: other types and boundaries, dumped back as YAML."""
    return [
        None,
        True,
        False,
        0,
        -1,
        1,
        2**31,
        -(2**31) - 1,
        2**63,
        2**64,
        10**30,
        -(10**30),
        0.1,
        -0.0,
        1e308,
        5e-324,
        float("inf"),
        float("-inf"),
        float("nan"),
        "",
        " ",
        "\n",
        "x\n",
        "x\r\n",
        "\x00",
        "a\x00b",
        "\ud800",
        "\u202eevil",
        "ﬁle",
        "İ",
        "a" * 10_000,
        "😀" * 100,
        WORKFLOW_COMMANDS[0],
        "x\n" + WORKFLOW_COMMANDS[0],
        "x\n" + WORKFLOW_COMMANDS[2],
        f"hi {MENTION}",
        MD_IMAGE,
        MD_LINK,
        f"| col | {MD_LINK} |\n|---|---|",
        f"x` {MENTION} `y",
        f"x`` {MD_IMAGE} ``y",
        f"```\n{MENTION}\n```\n{MD_LINK}",
        HTML_TAG,
        "{{ 7 * 7 }}",
        "../outside/secret.csv",
        f"{outside}/secret.csv",
        "/dev/zero",
        "2.0.1+1",
        "1.0.0\n",
        "^(a+)+$",
        "a" * 64,
        "UPPER_case",
        [],
        {},
        [None],
        [[[[[]]]]],
        {"": None},
        {"nested": {"deep": [1, {"x": [2]}]}},
        ["a"] * 1000,
        list(range(300)),
    ]


def config_paths(outside: str) -> list[str]:
    """Hostile values for the paths in modelspec.yaml (specs, generated, state.path, registry.path)."""
    return [
        "../outside",
        "../outside/specs",
        "../outside/state.json",
        "../outside/registry",
        "../outside/generated",
        outside,
        f"{outside}/specs",
        f"{outside}/state.json",
        "generated/../../outside",
        "specs/../../outside",
        "/",
        "/dev/zero",
        "/etc",
        ".",
        "",
        "..",
        "specs/\x00",
        "\x00",
        "generated\x00x",
        ".modelspec/state.json\x00",
        "a" * 300,
        "x/" * 200,
        ".modelspec/" + "s" * 300 + ".json",
        ".modelspec/state.lock",
        ".modelspec/x.lock",
        ".modelspec",
        ".modelspec/state.json/inner.json",
        "modelspec.yaml",
        "specs/models/biopsy-malignancy-classifier.yaml",
        "data",
        "data/diabetes.csv",
        "~",
        "~/x",
        "$HOME",
        "specs\n",
        " specs",
        "C:\\specs",
        "specs/*",
        "//server/share",
        "file:///etc/passwd",
    ]


CONFIG_KEYS = (
    ("specs",),
    ("generated",),
    ("state", "path"),
    ("state", "backend"),
    ("registry", "path"),
    ("pipelines", "engine"),
    ("pipelines", "image"),
    ("project",),
)

CSV_CELLS = [
    "",
    "abc",
    "NA",
    "null",
    "1,5",
    '"1,5"',
    "0x10",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "1e309",
    "-1e309",
    "9" * 400,
    "1" * 5000,
    "1e-400",
    "true",
    "\x00",
    "\ufeff1",
    "\u202e1",
    "'quoted'",
    '"unterminated',
    "=cmd|'/c calc'!A1",
    WORKFLOW_COMMANDS[0],
    "a" * 100_000,
]


def _nested_all(depth: int) -> str:
    """A CEL expression of depth nested comprehensions over ten-element lists: 10**depth steps."""
    expr = "true"
    for i in range(depth):
        expr = f"[0,1,2,3,4,5,6,7,8,9].all(v{i}, {expr})"
    return expr


def policy_conditions() -> list[str]:
    """Hostile `assert:` conditions (flow YAML) for a Policy over Models: costly regexes and CEL."""
    return [
        '{field: metadata.description, matches: "^(a+)+$"}',
        '{field: metadata.description, matches: "(a|aa)+$"}',
        '{field: metadata.description, matches: "(?=a)"}',
        '{field: metadata.description, matches: "\\\\1(a)"}',
        '{field: metadata.description, matches: "[" }',
        '{field: metadata.description, matches: "' + "(" * 300 + "a" + ")" * 300 + '"}',
        '{field: metadata.description, matches: "a{1000}{1000}"}',
        "{expr: '" + _nested_all(4) + "'}",
        "{expr: '" + _nested_all(7) + "'}",
        "{expr: '" + "(" * 500 + "true" + ")" * 500 + "'}",
        "{expr: '" + " && ".join(["true"] * 3000) + "'}",
        "{expr: 'resource.metadata.description.matches(\"^(a+)+$\")'}",
        "{expr: 'size([' + ','.join(['1'] * 20000) + ']) > 0'}".replace("' + ','.join(['1'] * 20000) + '", ",".join(["1"] * 20000)),
        "{expr: '1 / 0 == 1'}",
        "{expr: '9223372036854775807 + 1 > 0'}",
        "{expr: 'resource.nope.deeper == 1'}",
        "{expr: '\"a\" + 1'}",
        "{expr: 'dyn(resource).map(k, k)'}",
        "{all: [" + ", ".join(["{field: metadata.name, exists: true}"] * 5000) + "]}",
        "{not: " * 50 + "{field: metadata.name, exists: true}" + "}" * 50,
        "{not: " * 200 + "{field: metadata.name, exists: true}" + "}" * 200,
    ]


def hostile_policy(condition: str) -> str:
    return (
        "apiVersion: modelspec/v1\nkind: Policy\nmetadata: {name: fuzz-costly, owner: fuzz}\n"
        "spec:\n  description: fuzz\n  enforcement: advisory\n  applies_to: {kinds: [Model]}\n"
        f"  rules:\n    - id: costly\n      assert: {condition}\n      message: fuzz\n"
    )
