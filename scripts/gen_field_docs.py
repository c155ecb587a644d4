#!/usr/bin/env python3
"""Generates the help text of every described struct from its header's `///` comments.

Usage: gen_field_docs.py OUTPUT.cpp HEADER...

Each struct declared with BOOST_DESCRIBE_STRUCT has its field list in the macro; the text
of the `///` comment above each field (or the `///<` comment after it) becomes that field's
help in the CLI, the Python docstrings and docs/parameters.md (docs/architecture.md). A
described field without a comment is an error, so the build fails rather than ship an
undocumented option.
"""

import pathlib
import re
import sys

DESCRIBE = re.compile(r"BOOST_DESCRIBE_STRUCT\(\s*(\w+)\s*,\s*\(([^)]*)\)\s*,\s*\(([^)]*)\)\s*\)", re.S)
STRUCT = re.compile(r"^\s*struct\s+(\w+)\s*(?::[^{]*)?\{\s*$")
NAMESPACE_OPEN = re.compile(r"^\s*namespace\s+([\w:]+)\s*\{")
NAMESPACE_CLOSE = re.compile(r"^\s*\}\s*//\s*namespace")
FIELD_NAME = re.compile(r"(\w+)\s*(?:=|\{|;|\[)")


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_header(path):
    """Returns {struct name: (qualified name, struct doc, {field: doc})}."""
    lines = pathlib.Path(path).read_text().splitlines()
    structs = {}
    namespaces = []
    pending = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = NAMESPACE_OPEN.match(line)
        if m:
            namespaces.append(m.group(1))
            pending = []
            i += 1
            continue
        if NAMESPACE_CLOSE.match(line):
            if namespaces:
                namespaces.pop()
            i += 1
            continue
        stripped = line.strip()
        if stripped.startswith("///") and not stripped.startswith("///<"):
            pending.append(stripped[3:].strip())
            i += 1
            continue
        m = STRUCT.match(line)
        if m:
            name = m.group(1)
            struct_doc = " ".join(pending)
            pending = []
            fields = {}
            depth = line.count("{") - line.count("}")
            i += 1
            statement = ""
            while i < len(lines) and depth > 0:
                body = lines[i]
                s = body.strip()
                if depth == 1 and s.startswith("///") and not s.startswith("///<"):
                    pending.append(s[3:].strip())
                    i += 1
                    continue
                code, _, trailing = body.partition("///<")
                code = code.split("//")[0]
                if depth == 1:
                    statement += " " + code.strip()
                depth += code.count("{") - code.count("}")
                if depth == 1 and statement.strip().endswith(";"):
                    st = statement.strip()
                    head = st.split("=")[0]
                    if "(" not in head and not st.startswith(("using", "static", "friend", "template")):
                        fm = None
                        for fm in FIELD_NAME.finditer(head if "=" in st else st):
                            pass
                        names = re.findall(r"(\w+)\s*(?:=|\{|;)", st)
                        field = names[0] if names else None
                        doc = " ".join(pending + ([trailing.strip()] if trailing.strip() else []))
                        if field:
                            fields[field] = doc
                    pending = []
                    statement = ""
                elif depth == 1 and not s:
                    pending = []
                i += 1
            qualified = "::".join(n for n in namespaces if n) + "::" + name if namespaces else name
            structs[name] = (qualified, struct_doc, fields)
            continue
        if stripped and not stripped.startswith("//"):
            pending = []
        i += 1
    return structs


def main():
    output = pathlib.Path(sys.argv[1])
    headers = sys.argv[2:]
    entries = []
    includes = []
    errors = []
    for header in sorted(headers):
        text = pathlib.Path(header).read_text()
        described = DESCRIBE.findall(text)
        if not described:
            continue
        structs = parse_header(header)
        rel = header.split("include/", 1)[-1]
        includes.append(rel)
        for name, _bases, members in described:
            fields = [f.strip() for f in members.replace("\n", " ").split(",") if f.strip()]
            if name not in structs:
                errors.append(f"{header}: described struct {name} not found")
                continue
            qualified, struct_doc, docs = structs[name]
            rows = []
            for f in fields:
                doc = docs.get(f, "")
                if not doc:
                    errors.append(f"{header}: field {name}::{f} has no /// comment")
                rows.append(f"{{{c_string(f)}, {c_string(doc)}}}")
            bases = [b.strip().split("::")[-1] for b in _bases.split(",") if b.strip()]
            entries.append((qualified, name, struct_doc, rows, bases))
    # A struct described with base structs lists their fields first, as Boost.Describe's
    # mod_inherited walk does (bases may be declared in any header).
    by_name = {e[1]: e for e in entries}

    def all_rows(name, seen=()):
        qualified, _, _, rows, bases = by_name[name]
        out = []
        for b in bases:
            if b not in by_name:
                errors.append(f"base struct {b} of {name} is not described in a public header")
                continue
            if b in seen:
                errors.append(f"base struct cycle through {b}")
                continue
            out += all_rows(b, seen + (name,))
        return out + rows

    entries = [(q, n, d, all_rows(n)) for q, n, d, _, _ in entries]
    if errors:
        sys.stderr.write("\n".join(errors) + "\n")
        sys.exit(1)
    out = ["// Generated by scripts/gen_field_docs.py from the headers' /// comments. Do not edit.",
           '#include "neurogeom/io/field_docs.hpp"', "", "#include <typeindex>", "#include <unordered_map>", ""]
    out += [f'#include "{inc}"' for inc in includes]
    out += ["", "namespace neurogeom::io {", "",
            "const std::unordered_map<std::type_index, StructDoc>& struct_docs() {",
            "  static const std::unordered_map<std::type_index, StructDoc> docs{"]
    for qualified, name, struct_doc, rows in entries:
        out.append(f"      {{std::type_index(typeid(::{qualified})), StructDoc{{{c_string(name)}, {c_string(struct_doc)}, {{")
        out += [f"          {r}," for r in rows]
        out.append("      }}},")
    out += ["  };", "  return docs;", "}", "", "}  // namespace neurogeom::io", ""]
    text = "\n".join(out)
    if not output.exists() or output.read_text() != text:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)


if __name__ == "__main__":
    main()
