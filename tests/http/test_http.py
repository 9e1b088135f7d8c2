#!/usr/bin/python3
"""test_http.py: `omen serve` and `omen report` against a small synthetic store on 127.0.0.1.

Every endpoint of the registry (read from /api/meta, so new analyses are covered without an
edit here) must answer with the CLI's JSON (less meta.elapsed_s) and the CLI's CSV for the same
options, and with 400 exactly where the CLI says usage error; then errors (400/404/405), ETags
and 304, CSV by Accept, HEAD, static files (types, gzip siblings), path traversal in raw and
encoded forms, oversized URLs and headers, 64 concurrent clients, live reload after an ingest,
the request log, SIGTERM, and the report's HTML and CSVs. Prints "N passed, N failed, N skipped".
BUILD names the build folder (default build); OMEN_HTTP_SCALE the synthetic scale (0.02)."""
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
OMEN = BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD)
OMEN = os.path.join(OMEN, "omen")
SCALE = os.environ.get("OMEN_HTTP_SCALE", "0.02")
# CLI commands whose registry entry is a subcommand on the command line
CLI_ARGS = {"sizes": ["sizes", "distribution"]}
# Option variants tried on every analysis (the CLI decides whether each is valid)
VARIANTS = [
    {},
    {"level": "country", "window": "year"},
    {"no-rolling": "", "attribution": "recursive", "level": "model", "top": "5",
     "period": "last-year"},
]

passed = failed = skipped = 0


def ok(name):
    global passed
    passed += 1
    print("  pass", name, f"[{time.time() - T0:.1f}s]")


def ko(name, detail=""):
    global failed
    failed += 1
    print("  FAIL", name)
    if detail:
        print("    " + str(detail)[:2000].replace("\n", "\n    "))


T0 = time.time()


def check(cond, name, detail=""):
    if cond:
        ok(name)
    else:
        ko(name, detail)
    return cond


def skip(name, why):
    global skipped
    skipped += 1
    print("  skip", name, "-", why)


def enc(s):
    return urllib.parse.quote(s, safe="!'()*-._~")


def canonical(target):
    """The canonical key of tests/http/canonical_keys.txt, as the web app computes it."""
    path, _, qs = target.partition("?")
    pairs = urllib.parse.parse_qsl(qs, keep_blank_values=True)
    enc_pairs = sorted(((enc(k), enc(v)) for k, v in pairs), key=lambda p: p[0].encode())
    return path + ("?" + "&".join(k + "=" + v for k, v in enc_pairs) if enc_pairs else "")


def omen(*args, db=None, check_rc=None):
    cmd = [OMEN] + (["--db", db] if db else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check_rc is not None and r.returncode != check_rc:
        raise RuntimeError(f"{cmd}: exit {r.returncode}: {r.stderr}")
    return r


class Server:
    def __init__(self, db, web, extra=()):
        self.errlog = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.p = subprocess.Popen([OMEN, "--db", db, "serve", "--port", "0", "--web", web,
                                   *extra], stdout=subprocess.PIPE, stderr=self.errlog,
                                  text=True)
        line = self.p.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError("server did not start: " + line + open(self.errlog.name).read())
        url = line.split("listening on ")[1].split()[0]
        self.port = int(url.rstrip("/").rsplit(":", 1)[1])

    def get(self, target, headers=None, method="GET"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.putrequest(method, target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body

    def raw(self, data, timeout=10):
        """Sends raw bytes; returns the status code, or None if the server closed at once."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
        except OSError:
            pass
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            while True:  # the body too, to look for leaked content
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        s.close()
        if not buf.startswith(b"HTTP/"):
            return None, buf
        return int(buf.split(b" ", 2)[1]), buf

    def log(self):
        return open(self.errlog.name).read()

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = None
        self.p.stdout.close()
        if rc != 0:
            print("    server log tail:", self.log()[-1500:].replace("\n", "\n    "))
        os.unlink(self.errlog.name)
        return rc


def without_elapsed(doc):
    doc = json.loads(doc)
    doc.get("meta", {}).pop("elapsed_s", None)
    return doc


def cli_args(name, params):
    args = list(CLI_ARGS.get(name, [name]))
    for k, v in params.items():
        args.append(f"--{k}" if v == "" else f"--{k}={v}")
    return args


def test_registry(srv, db):
    st, h, body = srv.get("/api/meta")
    meta = json.loads(body)
    names = [a["name"] for a in meta["analyses"]]
    check(st == 200 and len(names) >= 5, f"/api/meta lists the registry ({len(names)})")
    for name in names:
        for params in VARIANTS:
            qs = urllib.parse.urlencode(params)
            target = f"/api/{name}" + ("?" + qs if qs else "")
            cj = omen("--format", "json", *cli_args(name, params), db=db)
            st, h, body = srv.get(target)
            if cj.returncode == 2:
                err = json.loads(body) if body.startswith(b"{") else {}
                check(st == 400 and "error" in err,
                      f"{target}: 400 where the CLI says usage error",
                      f"{st} {body[:300]!r} / CLI: {cj.stderr.strip()[:200]}")
                continue
            if cj.returncode != 0:
                check(st >= 400, f"{target}: error where the CLI fails ({cj.returncode})",
                      f"{st} {body[:200]!r}")
                continue
            same = st == 200 and without_elapsed(body) == without_elapsed(cj.stdout)
            check(same and h.get("content-type") == "application/json",
                  f"{target}: JSON equals the CLI's", f"{st} {body[:300]!r}")
            cc = omen("--format", "csv", *cli_args(name, params), db=db)
            st, h, body = srv.get(target + ("&" if qs else "?") + "format=csv")
            check(st == 200 and body.decode() == cc.stdout and h["content-type"].startswith(
                "text/csv"), f"{target}&format=csv: CSV equals the CLI's",
                f"{st} {body[:200]!r} vs {cc.stdout[:200]!r}")
    return names


def test_errors(srv):
    st, h, body = srv.get("/api/concentration?level=bogus")
    err = json.loads(body)
    check(st == 400 and err.get("parameter") == "level" and "country" in (err.get("allowed") or ""),
          "400 bad value names the parameter and the allowed values", body)
    st, h, body = srv.get("/api/concentration?bogus=1")
    err = json.loads(body)
    check(st == 400 and err.get("parameter") == "bogus" and "level" in (err.get("allowed") or ""),
          "400 unknown parameter lists the parameters", body)
    st, h, body = srv.get("/api/concentration?alpha=0.5")
    err = json.loads(body)
    check(st == 400 and err.get("parameter") == "alpha" and "attributes" in err.get("error", "")
          and "level" in (err.get("allowed") or "") and "alpha" not in (err.get("allowed") or ""),
          "400 for a parameter the analysis does not read, naming those that do", body)
    st, h, body = srv.get("/api/concentration?format=xml")
    check(st == 400 and json.loads(body).get("parameter") == "format", "400 bad format", body)
    st, h, body = srv.get("/api/concentration?entropy=maybe")
    check(st == 400 and json.loads(body).get("parameter") == "entropy", "400 bad flag value", body)
    st, h, body = srv.get("/api/concentration?level=%00")
    check(st == 400, "400 NUL in a value", body)
    st, h, body = srv.get("/api/nosuch")
    check(st == 404 and "error" in json.loads(body) and h["content-type"] == "application/json",
          "404 JSON for an unknown API path", body)
    for p in ["/api", "/api/", "/api/meta/x", "/api/" + "x" * 200]:
        st, h, body = srv.get(p)
        check(st == 404 and "error" in json.loads(body), f"404 JSON for {p[:30]}", (st, body))
    st, h, body = srv.get("/nosuch.html")
    check(st == 404, "404 for a missing file", st)
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]:
        st, h, body = srv.get("/api/meta", method=m)
        check(st == 405 and "GET" in h.get("allow", ""), f"405 with Allow for {m}", (st, h))


def test_caching(srv):
    st, h, body = srv.get("/api/concentration?level=country&window=year")
    etag = h.get("etag")
    check(st == 200 and etag and etag.startswith('"'), "API response has an ETag", h)
    st2, h2, body2 = srv.get("/api/concentration?window=year&level=country")
    check(h2.get("etag") == etag and body2 == body, "same canonical query, same ETag and body")
    st, h, body = srv.get("/api/concentration?level=country&window=year",
                          {"If-None-Match": etag})
    check(st == 304 and body == b"" and h.get("etag") == etag, "If-None-Match gives 304", st)
    st, h, body = srv.get("/api/concentration?level=country&window=year&format=csv",
                          {"If-None-Match": etag})
    check(st == 200 and h.get("etag") != etag, "CSV has its own ETag", h.get("etag"))
    st, h, body = srv.get("/api/concentration?level=country", {"Accept": "text/csv"})
    check(st == 200 and h["content-type"].startswith("text/csv") and body.startswith(
        b"period_start,"), "Accept: text/csv gives CSV", h)
    st, h, plain = srv.get("/api/shares?level=country")
    st, h, body = srv.get("/api/shares?level=country", {"Accept-Encoding": "gzip"})
    check(st == 200 and h.get("content-encoding") == "gzip" and without_elapsed(
        gzip.decompress(body)) == without_elapsed(plain) and h.get("etag", "").endswith('-gz"'),
        "gzip answer when accepted, same document, own ETag", h)
    st, h, body = srv.get("/api/shares?level=country", {"Accept-Encoding": "gzip;q=0"})
    check(st == 200 and "content-encoding" not in h, "no gzip with q=0", h)
    st, h, body = srv.get("/api/meta", method="HEAD")
    check(st == 200 and body == b"", "HEAD: headers, no body", (st, body[:50]))
    st, h, body = srv.get("/api/meta")
    meta = json.loads(body)
    for k in ["first_week", "last_week", "levels", "fields", "defaults", "synthetic",
              "store_version", "analyses", "parameters"]:
        check(k in meta, f"/api/meta has {k}")
    check(meta["synthetic"] is True, "/api/meta: synthetic store flagged")


def test_feed(srv, db):
    """GET /feed.atom: the CLI's `omen --format atom alerts` for the same options, a valid Atom
    feed (tests/tools/check_atom.py), with the API's caching, gzip and errors."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
    import check_atom
    first = json.loads(srv.get("/api/meta")[2])["first_week"]
    for params in [{}, {"since": first, "levels": "country,developer", "hold": "1"},
                   {"since": first, "no-rolling": "", "link": "https://omen.example.org/x/"}]:
        q = "&".join(k if v == "" else f"{k}={enc(v)}" for k, v in params.items())
        target = "/feed.atom" + ("?" + q if q else "")
        st, h, body = srv.get(target)
        cli = subprocess.run([OMEN, "--db", db, "--format", "atom"] + cli_args("alerts", params),
                             capture_output=True)
        check(st == 200 and h.get("content-type") == "application/atom+xml; charset=utf-8"
              and body == cli.stdout and cli.returncode == 0,
              f"{target}: the CLI's feed, as application/atom+xml", (st, h, body[:300],
                                                                    cli.stdout[:300]))
        problems, n = check_atom.problems(body, {"entries": None, "title": [], "id": [],
                                                 "href": []})
        check(not problems, f"{target}: a valid Atom feed ({n} entries)", problems)
    st, h, body = srv.get("/feed.atom")
    etag = h.get("etag", "")
    st2, h2, body2 = srv.get("/feed.atom", {"If-None-Match": etag})
    check(etag.startswith('"') and st2 == 304 and body2 == b"", "feed: ETag and 304", (h, st2))
    st3, h3, _ = srv.get("/api/alerts", {"If-None-Match": etag})
    check(st3 == 200 and h3.get("etag") != etag, "feed and /api/alerts have their own ETags")
    st, h, gz = srv.get("/feed.atom", {"Accept-Encoding": "gzip"})
    check(st == 200 and (h.get("content-encoding") != "gzip" or gzip.decompress(gz) == body),
          "feed: gzip when accepted, same bytes", h)
    st, h, body = srv.get("/feed.atom?hold=0")
    check(st == 400 and json.loads(body).get("parameter") == "hold", "feed: 400 bad option", body)
    st, h, body = srv.get("/feed.atom?top=3")
    check(st == 400 and json.loads(body).get("parameter") == "top",
          "feed: 400 for an option alerts does not read", body)
    st, h, body = srv.get("/feed.atom", method="HEAD")
    check(st == 200 and body == b"" and h.get("content-type", "").startswith(
        "application/atom+xml"), "feed: HEAD", (st, h))
    st, h, body = srv.get("/feed.atom/x")
    check(st == 404, "/feed.atom/x is a (missing) file, not the feed", st)


def make_web(tmp):
    web = os.path.join(tmp, "web")
    os.makedirs(os.path.join(web, "sub"))
    with open(os.path.join(tmp, "secret.txt"), "w") as f:
        f.write("TOP-SECRET-OUTSIDE\n")
    with open(os.path.join(web, "index.html"), "w") as f:
        f.write("<!doctype html><!-- a comment naming <script src=\"app.js\"> stays text -->"
                "<title>t</title><link rel=\"stylesheet\" href=\"s.css\">"
                "<script src=\"app.js\"></script><p>hello</p>\n")
    app = "window.APP = 1; // " + "x" * 3000 + "\n"
    with open(os.path.join(web, "app.js"), "w") as f:
        f.write(app)
    with gzip.open(os.path.join(web, "app.js.gz"), "wt") as f:
        f.write(app)
    with open(os.path.join(web, "s.css"), "w") as f:
        f.write("body{color:red}\n")
    with open(os.path.join(web, "sub", "d.json"), "w") as f:
        f.write('{"a": 1}\n')
    with open(os.path.join(web, ".hidden"), "w") as f:
        f.write("hidden\n")
    os.symlink(os.path.join(tmp, "secret.txt"), os.path.join(web, "link.txt"))
    os.symlink(tmp, os.path.join(web, "up"))
    return web, app


def test_static(srv, app):
    for path, ctype in [("/", "text/html"), ("/index.html", "text/html"),
                        ("/s.css", "text/css"), ("/sub/d.json", "application/json"),
                        ("/app.js", "text/javascript")]:
        st, h, body = srv.get(path)
        check(st == 200 and h.get("content-type", "").startswith(ctype),
              f"static {path} is {ctype}", (st, h.get("content-type")))
    st, h, body = srv.get("/app.js", {"Accept-Encoding": "gzip, deflate"})
    check(st == 200 and h.get("content-encoding") == "gzip" and gzip.decompress(body).decode()
          == app, "pre-compressed .gz sibling when gzip is accepted", h)
    st, h, body = srv.get("/app.js")
    check(st == 200 and "content-encoding" not in h and body.decode() == app,
          "plain file when gzip is not accepted", h)
    st, h, body = srv.get("/app.js", {"Accept-Encoding": "br"})
    check(st == 200 and "content-encoding" not in h, "plain file for another encoding", h)
    st, h, _ = srv.get("/s.css")
    st, h2, _ = srv.get("/s.css", {"If-None-Match": h["etag"]})
    check(st == 304, "static If-None-Match gives 304", st)


TRAVERSALS = [
    "/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd",
    "/..%2fsecret.txt", "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt",
    "/..\\secret.txt", "/..%5csecret.txt", "/sub\\..\\..\\secret.txt", "//etc/passwd",
    "//" + "/etc/passwd", "/./index.html/../../secret.txt", "/link.txt", "/up/secret.txt",
    "/.hidden", "/%2ehidden", "/index.html%00.js", "/sub/./d.json", "/sub//d.json",
    "/.%2e/secret.txt", "/%c0%ae%c0%ae/secret.txt", "http://127.0.0.1/../secret.txt",
    "/etc/passwd", "/" + os.path.abspath(os.sep + "etc/passwd").lstrip("/"),
]


def test_traversal(srv):
    for t in TRAVERSALS:
        st, buf = srv.raw(f"GET {t} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        leaked = b"TOP-SECRET" in buf or b"root:" in buf or b"hidden\n" in buf
        check(st != 200 and not leaked, f"traversal {t!r} refused ({st})", buf[:200])


def test_limits(srv):
    st, buf = srv.raw(b"GET /api/meta?x=" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    check(st in (None, 400, 413, 414, 431), f"oversized URL: {st or 'closed'}", buf[:100])
    st, buf = srv.raw(b"GET /api/meta?" + b"a" * 4100 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    check(st in (None, 414, 431), f"URL over --max-url: {st or 'closed'}", buf[:100])
    st, buf = srv.raw(b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: " + b"b" * 70000 + b"\r\n\r\n")
    check(st in (None, 400, 413, 431), f"oversized header: {st or 'closed'}", buf[:100])
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"c" * 100) for i in range(400))
    st, buf = srv.raw(b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + many + b"\r\n")
    check(st in (None, 400, 413, 431), f"too many headers: {st or 'closed'}", buf[:100])
    st, buf = srv.raw(b"GARBAGE\r\n\r\n")
    check(st in (None, 400, 405, 505), f"garbage request line: {st or 'closed'}", buf[:100])
    st, h, body = srv.get("/api/meta")
    check(st == 200, "server still answers after the limits")


def test_concurrency(srv, names):
    targets = ["/api/meta", "/index.html"] + [f"/api/{n}" for n in names] + [
        "/api/concentration?level=country", "/api/leaderboard?level=model&top=20"]
    expect = {}
    for t in targets:
        st, h, body = srv.get(t)
        if st == 200:  # (an analysis may need parameters: those are tested above)
            expect[t] = body
    targets = list(expect)
    errors = []

    def client(i):
        try:
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
            for k in range(6):
                t = targets[(i + k) % len(targets)]
                c.request("GET", t)
                r = c.getresponse()
                body = r.read()
                if r.status != 200:
                    errors.append((t, r.status))
                elif t.startswith("/api/") and t != "/api/meta":
                    if without_elapsed(body) != without_elapsed(expect[t]):
                        errors.append((t, "body differs"))
                elif body != expect[t]:
                    errors.append((t, "body differs"))
            c.close()
        except Exception as e:  # noqa: BLE001 - any failure of a client is a test failure
            errors.append(("client", repr(e)))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, f"64 concurrent clients x 6 keep-alive requests", errors[:5])


def test_reload(srv, db, tmp):
    st, h, body = srv.get("/api/meta")
    before = json.loads(body)
    etag = h["etag"]
    st, h, lb = srv.get("/api/leaderboard?level=model&top=1&no-rolling")
    top = json.loads(lb)["rows"][0]
    model = top.get("entity") or top.get("model")
    last = before["last_week"]
    y, m, d = map(int, last.split("-"))
    import datetime
    new_week = (datetime.date(y, m, d) + datetime.timedelta(days=14)).isoformat()
    csv = os.path.join(tmp, "more.csv")
    with open(csv, "w") as f:
        f.write(f"model,week,downloads\n{model},{new_week},987654321\n")
    r = omen("ingest", "downloads", csv, db=db)
    if not check(r.returncode == 0, "ingest more data while serving", r.stderr):
        return
    st, h, body = srv.get("/api/meta")
    after = json.loads(body)
    check(after["last_week"] == new_week and after["generation"] > before["generation"],
          "next request sees the new panel", (before["last_week"], after["last_week"]))
    check(h["etag"] != etag, "ETag changes with the store", (etag, h["etag"]))
    st, h, body = srv.get("/api/meta", {"If-None-Match": etag})
    check(st == 200, "old ETag no longer gives 304", st)
    st, h, lb2 = srv.get("/api/leaderboard?level=model&top=1&no-rolling")
    row = json.loads(lb2)["rows"][0]
    check(row["downloads"] >= top["downloads"] + 987654321 - 1, "cached results were dropped",
          (top, row))
    check("reloaded" in srv.log(), "the reload is logged")


def report_keys(web_dir):
    path = os.path.join(web_dir, "report-requests.txt")
    if os.path.exists(path):
        return path, False
    return None, True


def test_report(db, tmp, names):
    web = os.path.join(ROOT, "web")
    reqs = os.path.join(web, "report-requests.txt")
    if not os.path.exists(reqs):
        reqs = os.path.join(tmp, "requests.txt")
        with open(reqs, "w") as f:
            f.write("/api/meta\n/api/concentration?level=country&window=year\n"
                    "/api/leaderboard?period=last-year&level=developer\n/api/nosuch?x=1\n")
        skip("report: web/report-requests.txt", "absent: a test list is used")
    out = os.path.join(tmp, "report")
    args = ["report", "--out", out, "--requests", reqs]
    if os.path.isdir(web):
        args += ["--web", web]
    r = omen(*args, db=db)
    if not check(r.returncode == 0, "omen report exits 0", r.stderr):
        return
    html = open(os.path.join(out, "index.html")).read()
    start = html.find("window.OMEN_INLINE = ")
    end = html.find("\n};\n", start)
    check(start >= 0 and end > start, "index.html holds window.OMEN_INLINE")
    inline = inline_values(json.loads(html[start + len("window.OMEN_INLINE = "):end + 2]))
    lines = [l.strip() for l in open(reqs) if l.strip() and not l.startswith("#")]
    missing, csv_bad, absent = [], [], []
    for line in lines:
        key = canonical(line)
        path = key.split("?")[0]
        if not path.startswith("/api/"):
            if not os.path.isfile(os.path.join(web, path.lstrip("/"))):
                absent.append(key)  # not vendored: `make web` needs web/node_modules
            elif key not in inline:
                missing.append(key)
            continue
        name = path[5:]
        if name != "meta" and name not in names:
            check(key not in inline, f"report skips unregistered {name}")
            continue
        if key not in inline:
            missing.append(key)
            continue
        if name == "meta":
            continue
        params = dict(urllib.parse.parse_qsl(key.partition("?")[2], keep_blank_values=True))
        cj = omen("--format", "json", *cli_args(name, params), db=db)
        if cj.returncode == 0:
            a, b = dict(inline[key]), without_elapsed(cj.stdout)
            a.get("meta", {}).pop("elapsed_s", None)
            if a != b:
                csv_bad.append(key + " (json)")
            cc = omen("--format", "csv", *cli_args(name, params), db=db)
            files = [f for f in os.listdir(os.path.join(out, "csv"))
                     if open(os.path.join(out, "csv", f)).read() == cc.stdout]
            if not files:
                csv_bad.append(key + " (csv)")
    check(not missing, f"every registered key of the list is inlined ({len(lines)} lines)",
          missing[:10])
    if absent:
        skip("the vendored assets of the list are inlined",
             f"{len(absent)} absent from {web} (scripts/bootstrap runs npm ci --prefix web, "
             f"then make web copies them): {absent[:3]}")
    check(not csv_bad, "inlined JSON and CSV files equal the CLI's", csv_bad[:10])
    left = [src for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
            if os.path.isfile(os.path.join(web, src.split("?")[0].lstrip("/")))]
    check(not left, "every local script is inlined", left)
    md = open(os.path.join(out, "summary.md")).read()
    check("## Download shares" in md and "Countries" in md and "Concentration" in md,
          "summary.md has the headline sections")


def inline_values(inline):
    """The report's OMEN_INLINE with each "gz:<base64 of gzipped JSON>" value (report.c
    compresses the values the page decodes when a view opens) back as its JSON."""
    import base64
    out = {}
    for k, v in inline.items():
        if isinstance(v, str) and v.startswith("gz:"):
            v = json.loads(gzip.decompress(base64.b64decode(v[3:])).decode("utf-8"))
        out[k] = v
    return out


def test_report_inlining(db, tmp, web, app):
    """The report on the test's own web folder: what is inlined where."""
    reqs = os.path.join(tmp, "small.txt")
    with open(reqs, "w") as f:
        f.write("# comment\n/api/meta\n/sub/d.json\n/api/map?period=last-year\n/missing.json\n")
    out = os.path.join(tmp, "small-report")
    r = omen("report", "--out", out, "--web", web, "--requests", reqs, db=db)
    if not check(r.returncode == 0, "report on a small web folder", r.stderr):
        return
    html = open(os.path.join(out, "index.html")).read()
    comment_end = html.find("stays text -->")
    data = html.find("window.OMEN_INLINE = ")
    check(0 < comment_end < data, "OMEN_INLINE goes after comments, before the first script",
          html[:300])
    check(app.strip() in html and "body{color:red}" in html and 'src="app.js"></script>'
          not in html.split("-->", 1)[1], "local script and stylesheet inlined", html[:500])
    inline = inline_values(json.loads(html[data + len("window.OMEN_INLINE = "):html.find("\n};\n", data) + 2]))
    check(set(inline) == {"/api/meta", "/sub/d.json", "/api/map?period=last-year"} and
          inline["/sub/d.json"] == {"a": 1}, "inlined keys: API answers and assets", list(inline))
    md = open(os.path.join(out, "summary.md")).read()
    check("/missing.json" in md, "summary.md notes what was skipped", md[-300:])
    check(os.path.exists(os.path.join(out, "csv", "map_period-last-year.csv")),
          "CSV file named from the key", os.listdir(os.path.join(out, "csv")))


def main():
    if not os.access(OMEN, os.X_OK):
        ko("binary " + OMEN + " is missing")
        return finish()
    tmp = tempfile.mkdtemp(prefix="omen-http-")
    try:
        db = os.path.join(tmp, "t.db")
        omen("synth", "--scale", SCALE, "--seed", "7", db=db, check_rc=0)
        web, app = make_web(tmp)
        print("== server vs CLI over the registry")
        srv = Server(db, web)
        try:
            names = test_registry(srv, db)
            print("== errors, caching, static files")
            test_errors(srv)
            test_caching(srv)
            test_static(srv, app)
            test_feed(srv, db)
            print("== traversal and limits")
            test_traversal(srv)
            test_limits(srv)
            print("== concurrency and reload")
            test_concurrency(srv, names)
            test_reload(srv, db, tmp)
            log = srv.log()
            check("GET /api/meta 200" in log and "ms" in log, "one log line per request")
        finally:
            rc = srv.stop()
        check(rc == 0, "SIGTERM: exit code 0", rc)
        srv = Server(db, web)
        second = subprocess.Popen([OMEN, "--db", db, "serve", "--port", str(srv.port), "--web",
                                   web], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        try:
            rc2 = second.wait(timeout=30)
            err2 = second.stderr.read()
        except subprocess.TimeoutExpired:  # it listens on a port that is taken: the bug
            second.terminate()
            rc2, err2 = second.wait(), "still running"
        second.stderr.close()
        check(rc2 == 1 and "cannot listen" in err2, "a port in use is an error (exit 1)",
              (rc2, err2))
        rc = srv.stop(signal.SIGINT)
        check(rc == 0, "SIGINT: exit code 0", rc)
        r = omen("serve", "--port", "0", "--web", os.path.join(tmp, "nope"), db=db)
        check(r.returncode == 2 and "web" in r.stderr, "missing web folder: usage error", r.stderr)
        print("== report")
        test_report(db, tmp, names)
        test_report_inlining(db, tmp, web, app)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


def finish():
    print(f"http: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
