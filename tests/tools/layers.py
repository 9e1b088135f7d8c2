#!/usr/bin/env python3
"""tests/tools/layers.py: the layering check of DESIGN.md section 2 (run by tests/suites/layers.sh).

Reads the folder table docs/layers.txt and checks, for every C file of the folders it checks,
each `#include "..."` (resolved as the compiler does: next to the file, then -Iinclude), and,
from the objects of $BUILD, each call into another folder (an undefined symbol that another
folder's object defines) and each call into SQLite. A front (cli/, server/, report/) may call
only what include/omen/ declares. A violation names the file, the line and the forbidden edge.
It also regenerates the folder map of docs/architecture.md from the table (`--write`) and fails
when the map there is not the one the table gives, so the map cannot go stale.

File names are unique across the tree (DESIGN.md section 2): two C files of src/, cli/, server/,
report/ or include/ may share a base name only as a header and its source, either in one folder
(rows.h, rows.c) or as a public header of include/omen/ and the one file that implements it
(include/omen/server.h, server/server.c). Any other pair (store/write.c beside output/write.c)
fails, naming the files.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TABLE = "docs/layers.txt"
DOC = "docs/architecture.md"
BEGIN = "<!-- layers:begin: generated from docs/layers.txt by `bash tests/suites/layers.sh --write` -->"
END = "<!-- layers:end -->"
# External libraries whose calls are checked, by symbol prefix.
LIBS = {"lib:sqlite3": "sqlite3_"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# The folders whose C files must have unique base names, and the folder of public headers.
NAMED_ROOTS = ("src", "cli", "server", "report", "include")
PUBLIC = "include/omen"


def read_table():
    """Returns (folders in order, exceptions). A folder is a dict: path, uses, check, what, why."""
    folders, excepts = [], []
    with open(os.path.join(ROOT, TABLE), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            key, _, rest = line.partition(" ")
            rest = rest.strip()
            if key == "folder":
                folders.append({"path": rest, "uses": None, "check": True, "what": [], "why": []})
            elif key == "except":
                parts = rest.split(None, 2)
                if len(parts) < 3:
                    sys.exit(f"{TABLE}:{n}: except needs a file, a dependency and a reason")
                excepts.append({"file": parts[0], "dep": parts[1], "why": parts[2], "used": False})
            elif not folders:
                sys.exit(f"{TABLE}:{n}: `{key}` before the first `folder`")
            elif key == "uses":
                folders[-1]["uses"] = [] if rest == "-" else rest.split()
            elif key == "check":
                folders[-1]["check"] = rest != "no"
            elif key in ("what", "why"):
                folders[-1][key].append(rest)
            else:
                sys.exit(f"{TABLE}:{n}: unknown key `{key}`")
    names = {fo["path"] for fo in folders}
    short = {}
    for fo in folders:
        # `util` stands for src/util, `ingest` for src/ingest, ...; `cli` for cli.
        short[os.path.basename(fo["path"]) if fo["path"].startswith("src/") else fo["path"]] = fo["path"]
    for fo in folders:
        if fo["check"] and fo["uses"] is None:
            sys.exit(f"{TABLE}: folder {fo['path']} says nothing of what it uses")
        resolved = []
        for d in fo["uses"] or []:
            if d in LIBS:
                resolved.append(d)
            elif d in short:
                resolved.append(short[d])
            elif d in names:
                resolved.append(d)
            else:
                sys.exit(f"{TABLE}: folder {fo['path']} uses `{d}`, which is not a folder of the table")
        fo["deps"] = resolved
    for e in excepts:
        if e["dep"] in short:
            e["dep"] = short[e["dep"]]
    return folders, excepts


def folder_of(path, folders):
    """The table's folder holding path (the longest match), or None."""
    best = None
    for fo in folders:
        p = fo["path"]
        if (path == p or path.startswith(p + "/")) and (best is None or len(p) > len(best["path"])):
            best = fo
    return best


def c_files(folders):
    out = []
    for fo in folders:
        if not fo["check"]:
            continue
        top = os.path.join(ROOT, fo["path"])
        if not os.path.isdir(top):
            continue
        for dirpath, _, files in os.walk(top):
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return sorted(out)


class Checker:
    def __init__(self, folders, excepts):
        self.folders, self.excepts = folders, excepts
        self.passed = self.failed = self.skipped = 0
        self.errors = []

    def allowed(self, src_file, src_folder, dep):
        if dep == src_folder["path"] or dep in src_folder["deps"]:
            return True
        for e in self.excepts:
            if e["file"] == src_file and e["dep"] == dep:
                e["used"] = True
                return True
        return False

    def fail(self, msg):
        self.errors.append(msg)

    def includes(self, files):
        """Every #include "..." of every file against the table."""
        bad = 0
        for rel in files:
            fo = folder_of(rel, self.folders)
            with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE_RE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    here = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
                    if os.path.exists(os.path.join(ROOT, here)):
                        target = here
                    elif os.path.exists(os.path.join(ROOT, "include", inc)):
                        target = os.path.normpath(os.path.join("include", inc))
                    else:
                        self.fail(f"{rel}:{n}: #include \"{inc}\" names no file of the tree")
                        bad += 1
                        continue
                    to = folder_of(target, self.folders)
                    if to is None:
                        self.fail(f"{rel}:{n}: #include \"{inc}\" reaches {target}, outside every folder of {TABLE}")
                        bad += 1
                    elif not self.allowed(rel, fo, to["path"]):
                        self.fail(f"{rel}:{n}: #include \"{inc}\": {fo['path']} -> {to['path']} is not allowed "
                                  f"({fo['path']} may use: {' '.join(fo['uses']) or 'nothing'})")
                        bad += 1
        return bad

    def calls(self, files, build):
        """Every call across folders, from the objects of the build (fresh ones only)."""
        objs = {}
        stale = 0
        for rel in files:
            if not rel.endswith(".c"):
                continue
            o = os.path.join(ROOT, build, "obj", rel[:-2] + ".o")
            if not os.path.exists(o):
                continue
            if os.path.getmtime(o) < os.path.getmtime(os.path.join(ROOT, rel)):
                stale += 1
                continue
            objs[rel] = o
        if not objs:
            return None, stale
        defined, undefined = {}, {}
        for rel, o in objs.items():
            res = subprocess.run(["nm", "-g", o], capture_output=True, text=True)
            if res.returncode != 0:
                self.fail(f"{o}: nm failed: {res.stderr.strip()}")
                continue
            und = []
            for line in res.stdout.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == "U":
                    und.append(parts[1])
                elif len(parts) == 3 and parts[1] in "TDBRCVWGS" and parts[1] != "U":
                    defined.setdefault(parts[2], rel)
            undefined[rel] = und
        public = self.public_names()
        bad = 0
        for rel, und in sorted(undefined.items()):
            fo = folder_of(rel, self.folders)
            front = not fo["path"].startswith("src/")
            for sym in und:
                dep = None
                for lib, prefix in LIBS.items():
                    if sym.startswith(prefix):
                        dep = lib
                if dep is None:
                    where = defined.get(sym)
                    if where is None:
                        continue
                    dep = folder_of(where, self.folders)["path"]
                    if front and dep != fo["path"]:
                        # A front calls the library only through what include/omen/ declares.
                        if sym in public:
                            continue
                        self.fail(f"{rel}:{self.line_of(rel, sym)}: calls {sym} ({where}), which "
                                  f"include/omen/ does not declare: {fo['path']} -> {dep} is not allowed")
                        bad += 1
                        continue
                if not self.allowed(rel, fo, dep):
                    self.fail(f"{rel}:{self.line_of(rel, sym)}: calls {sym}"
                              f"{'' if dep.startswith('lib:') else ' (' + defined[sym] + ')'}: "
                              f"{fo['path']} -> {dep} is not allowed "
                              f"({fo['path']} may use: {' '.join(fo['uses']) or 'nothing'})")
                    bad += 1
        return bad, stale

    @staticmethod
    def public_names():
        names = set()
        top = os.path.join(ROOT, "include", "omen")
        for name in os.listdir(top):
            if name.endswith(".h"):
                with open(os.path.join(top, name), encoding="utf-8") as f:
                    names.update(re.findall(r"\b[A-Za-z_]\w*\b", f.read()))
        return names

    @staticmethod
    def line_of(rel, sym):
        """The first line of the source that names sym (nm knows the object, not the line)."""
        pat = re.compile(r"\b" + re.escape(sym) + r"\b")
        with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if pat.search(line):
                    return n
        return 1


def named_files():
    """Every .c and .h under NAMED_ROOTS, as paths relative to ROOT."""
    out = []
    for top in NAMED_ROOTS:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            out += [os.path.relpath(os.path.join(dirpath, n), ROOT) for n in files
                    if n.endswith((".c", ".h"))]
    return sorted(out)


def is_pair(paths):
    """Whether files sharing a base name are one header and its source: in one folder, or a
    public header of include/omen/ and the one .c that implements it."""
    if len({os.path.dirname(p) for p in paths}) == 1:
        return True
    if len(paths) != 2:
        return False
    h, c = sorted(paths, key=lambda p: not p.endswith(".h"))
    return os.path.dirname(h) == PUBLIC and h.endswith(".h") and c.endswith(".c")


def shared_names(files):
    """The groups of files that share a base name without being a header and its source."""
    by_name = {}
    for rel in files:
        by_name.setdefault(os.path.splitext(os.path.basename(rel))[0], []).append(rel)
    return [paths for _, paths in sorted(by_name.items()) if not is_pair(paths)]


def folder_map(folders, excepts):
    """The folder map of docs/architecture.md, as Markdown."""
    lines = [BEGIN, "",
             "| folder | what it is | may use | why |",
             "|---|---|---|---|"]
    for fo in folders:
        if fo["check"]:
            uses = ", ".join(f"`{d}`" if not d.startswith("lib:") else d[4:] for d in fo["uses"]) or "nothing"
        else:
            uses = "(not checked)"
        cell = lambda parts: " ".join(parts).replace("|", "\\|")
        lines.append(f"| `{fo['path']}/` | {cell(fo['what'])} | {uses} | {cell(fo['why'])} |")
    lines += ["", "Uses are not transitive: a folder may use only what its row names (`analyses/` "
              "reaches the panel through `engine/` and reads its columns, but never includes or "
              "calls `store/`). sqlite3 means calls into SQLite, allowed where the store is read or "
              "written with SQL."]
    if excepts:
        lines += ["", f"Exceptions still allowed by `{TABLE}`, each to be removed:", ""]
        lines += [f"- `{e['file']}` -> `{e['dep']}`: {e['why']}" for e in excepts]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def doc_with_map(text, generated):
    b, e = text.find(BEGIN), text.find(END)
    if b < 0 or e < 0:
        return None
    return text[:b] + generated + text[e + len(END) + 1:]


def main():
    write = "--write" in sys.argv[1:]
    build = os.environ.get("BUILD", "build")
    folders, excepts = read_table()
    ck = Checker(folders, excepts)
    files = c_files(folders)

    bad = ck.includes(files)
    print(f"layers: includes of {len(files)} files: {'ok' if bad == 0 else str(bad) + ' forbidden'}")
    ck.passed += bad == 0
    ck.failed += bad != 0

    named = named_files()
    clashes = shared_names(named)
    for paths in clashes:
        ck.fail(f"{' and '.join(paths)} share a name: file names are unique across the tree "
                f"(DESIGN.md section 2); rename one after what it does")
    print(f"layers: names of {len(named)} C files: "
          f"{'unique' if not clashes else str(len(clashes)) + ' shared'}")
    ck.passed += not clashes
    ck.failed += bool(clashes)

    bad, stale = ck.calls(files, build)
    if bad is None:
        print(f"layers: calls skipped: no fresh objects in {build}/obj (build first)")
        ck.skipped += 1
    else:
        note = f" ({stale} stale objects left out)" if stale else ""
        print(f"layers: calls across folders in {build}/obj: {'ok' if bad == 0 else str(bad) + ' forbidden'}{note}")
        ck.passed += bad == 0
        ck.failed += bad != 0

    for e in excepts:
        if not e["used"] and bad is not None:
            print(f"layers: note: the exception {e['file']} -> {e['dep']} is no longer needed; "
                  f"remove it from {TABLE}")

    path = os.path.join(ROOT, DOC)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = doc_with_map(text, folder_map(folders, excepts))
    if new is None:
        ck.fail(f"{DOC}: the markers of the folder map are missing ({BEGIN} ... {END})")
        ck.failed += 1
    elif write:
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"layers: {DOC}: folder map rewritten from {TABLE}")
        ck.passed += 1
    elif new != text:
        ck.fail(f"{DOC}: the folder map is not the one {TABLE} gives: run `bash tests/suites/layers.sh --write`")
        ck.failed += 1
    else:
        print(f"layers: {DOC}: folder map current")
        ck.passed += 1

    for msg in ck.errors:
        print("FAIL " + msg)
    print(f"layers: {ck.passed} passed, {ck.failed} failed, {ck.skipped} skipped")
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
