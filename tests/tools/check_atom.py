#!/usr/bin/python3
"""check_atom.py: checks that a file (or stdin, "-") is an Atom feed as RFC 4287 requires it:
well-formed XML whose root is atom:feed with exactly one atom:id (an absolute IRI), atom:title
and atom:updated (an RFC 3339 date-time), an author (on the feed, or on every entry), and
entries each with exactly one id (absolute, unique in the feed), title and updated, and either
content or a rel="alternate" link (RFC 4287 section 4.1.1.1), links with an href.

Options: --entries N (exactly N entries), --title TEXT (some entry's title contains TEXT,
after XML unescaping; repeatable), --id TEXT (some entry's id is TEXT; repeatable), --href TEXT
(some entry's alternate link is TEXT; repeatable). Prints "atom ok: N entries" and exits 0, or
prints each problem and exits 1. Used by tests/cli/cases/alerts_*.test and tests/http."""
import re
import sys
import xml.etree.ElementTree as ET

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def problems(text, want):
    out = []
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return [f"not well-formed XML: {e}"], 0
    if root.tag != A + "feed":
        return [f"root is {root.tag}, not atom:feed"], 0

    def one(el, name, where):
        found = el.findall(A + name)
        if len(found) != 1:
            out.append(f"{where}: {len(found)} atom:{name} elements, want exactly 1")
            return None
        return found[0]

    def dated(el, where):
        u = one(el, "updated", where)
        if u is not None and not RFC3339.match((u.text or "").strip()):
            out.append(f"{where}: updated {u.text!r} is not an RFC 3339 date-time")

    def links(el, where):
        for link in el.findall(A + "link"):
            if not link.get("href"):
                out.append(f"{where}: a link without href")

    fid = one(root, "id", "feed")
    if fid is not None and not ABSOLUTE.match((fid.text or "").strip()):
        out.append(f"feed: id {fid.text!r} is not an absolute IRI")
    one(root, "title", "feed")
    dated(root, "feed")
    links(root, "feed")
    entries = root.findall(A + "entry")
    feed_author = root.find(A + "author")
    if feed_author is not None and feed_author.find(A + "name") is None:
        out.append("feed: author without name")
    ids, titles, hrefs = set(), [], set()
    for i, e in enumerate(entries):
        where = f"entry {i + 1}"
        eid = one(e, "id", where)
        if eid is not None:
            t = (eid.text or "").strip()
            if not ABSOLUTE.match(t):
                out.append(f"{where}: id {t!r} is not an absolute IRI")
            if t in ids:
                out.append(f"{where}: id {t!r} is not unique")
            ids.add(t)
        title = one(e, "title", where)
        titles.append(title.text or "" if title is not None else "")
        dated(e, where)
        links(e, where)
        alternate = [l for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
        for l in alternate:
            hrefs.add(l.get("href"))
        if e.find(A + "content") is None and not alternate:
            out.append(f"{where}: neither content nor an alternate link")
        if feed_author is None and e.find(A + "author") is None:
            out.append(f"{where}: no author, and the feed has none")
    if want["entries"] is not None and len(entries) != want["entries"]:
        out.append(f"{len(entries)} entries, want {want['entries']}")
    for t in want["title"]:
        if not any(t in x for x in titles):
            out.append(f"no entry title contains {t!r}")
    for t in want["id"]:
        if t not in ids:
            out.append(f"no entry has the id {t!r}")
    for t in want["href"]:
        if t not in hrefs:
            out.append(f"no entry links to {t!r}")
    return out, len(entries)


def main(argv):
    want = {"entries": None, "title": [], "id": [], "href": []}
    path = "-"
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("--entries", "--title", "--id", "--href") and i + 1 < len(argv):
            if a == "--entries":
                want["entries"] = int(argv[i + 1])
            else:
                want[a[2:]].append(argv[i + 1])
            i += 2
        else:
            path = a
            i += 1
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    out, n = problems(data, want)
    if out:
        for p in out:
            print("atom: " + p)
        return 1
    print(f"atom ok: {n} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
