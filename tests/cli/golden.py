#!/usr/bin/python3
"""Golden CLI tests: runs every tests/cli/cases/*.test and compares exit codes and output.

A case file is plain data, one directive per line (jq-style):
    # comment
    $ omen ingest downloads fx/bad/negative.csv    a command, run by bash in a fresh
                                                   directory holding `fx` -> tests/fixtures
                                                   and `real` -> ../shared/data/real
    ? 3                                            expected exit code (default 0)
    > line                                         stdout must be exactly these lines
    >~ text                                        stdout must contain text
    ! line                                         stderr must be exactly these lines
    !~ text                                        stderr must contain text
    = unchanged                                    omen.db is byte for byte as before the command
    requires real                                  skip the case when ../shared/data/real is absent
`omen` runs the binary under test ($BUILD/omen). Prints one line per case and a summary.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "real"))


def parse(path):
    steps, requires = [], []
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith("requires "):
            requires.append(line[9:].strip())
            continue
        if line.startswith("$ "):
            steps.append({"cmd": line[2:], "exit": 0, "out": None, "err": None,
                          "out_has": [], "err_has": [], "unchanged": False})
            continue
        if not steps:
            raise SyntaxError(f"{path}: directive before the first command: {line}")
        s = steps[-1]
        if line.startswith("? "):
            s["exit"] = int(line[2:])
        elif line.startswith(">~ "):
            s["out_has"].append(line[3:])
        elif line.startswith("!~ "):
            s["err_has"].append(line[3:])
        elif line == ">" or line.startswith("> "):
            s["out"] = (s["out"] or []) + [line[2:]]
        elif line == "!" or line.startswith("! "):
            s["err"] = (s["err"] or []) + [line[2:]]
        elif line == "= unchanged":
            s["unchanged"] = True
        else:
            raise SyntaxError(f"{path}: unknown directive: {line}")
    return steps, requires


def digest(path):
    if not os.path.exists(path):
        return "absent"
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def run_case(path):
    steps, requires = parse(path)
    if "real" in requires and not os.path.isdir(REAL):
        return "skip", f"needs {REAL}"
    work = tempfile.mkdtemp(prefix="omen-golden-")
    try:
        os.symlink(os.path.join(ROOT, "tests", "fixtures"), os.path.join(work, "fx"))
        if os.path.isdir(REAL):
            os.symlink(REAL, os.path.join(work, "real"))
        bindir = os.path.join(work, "bin")
        os.mkdir(bindir)
        os.symlink(OMEN, os.path.join(bindir, "omen"))
        env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], OMEN_DB="omen.db",
                   LC_ALL="C")
        for s in steps:
            before = digest(os.path.join(work, "omen.db"))
            p = subprocess.run(["bash", "-c", s["cmd"]], cwd=work, env=env,
                               capture_output=True, text=True, timeout=600)
            out, err = p.stdout.splitlines(), p.stderr.splitlines()
            problems = []
            if p.returncode != s["exit"]:
                problems.append(f"exit {p.returncode}, expected {s['exit']}")
            if s["out"] is not None and out != s["out"]:
                problems.append("stdout differs:\n  got:      " + "\n            ".join(out) +
                                "\n  expected: " + "\n            ".join(s["out"]))
            if s["err"] is not None and err != s["err"]:
                problems.append("stderr differs:\n  got:      " + "\n            ".join(err) +
                                "\n  expected: " + "\n            ".join(s["err"]))
            for t in s["out_has"]:
                if t not in p.stdout:
                    problems.append(f"stdout lacks {t!r}; got:\n{p.stdout}")
            for t in s["err_has"]:
                if t not in p.stderr:
                    problems.append(f"stderr lacks {t!r}; got:\n{p.stderr}")
            if s["unchanged"] and digest(os.path.join(work, "omen.db")) != before:
                problems.append("the store changed")
            if problems:
                return "fail", f"$ {s['cmd']}\n    " + "\n    ".join(problems)
        return "pass", ""
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    cases = sorted(f for f in os.listdir(os.path.join(ROOT, "tests", "cli", "cases"))
                   if f.endswith(".test"))
    if len(sys.argv) > 1:
        cases = [c for c in cases if any(a in c for a in sys.argv[1:])]
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for c in cases:
        verdict, detail = run_case(os.path.join(ROOT, "tests", "cli", "cases", c))
        counts[verdict] += 1
        print(f"  {verdict:4} {c}" + (f"\n    {detail}" if detail else ""))
    print(f"golden: {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
