#!/usr/bin/python3
"""test_headers.py: `omen serve`'s security headers and Host check (issue 17, item 4).

Every answer (API, cached API, 304, errors, static files) carries `X-Content-Type-Options:
nosniff`; HTML carries the dashboard's Content-Security-Policy (scripts and connections to
itself only, no framing), other answers a policy that runs nothing. A request whose Host names
another site (a DNS-rebinding page) gets 421 with a JSON error naming Host, and no data;
localhost, IP literals, the --host name and --allow-host names are answered.
Prints "N passed, N failed, N skipped". BUILD names the build folder (default build)."""
import json
import os
import shutil
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_http as th  # noqa: E402  (Server, omen(), check(), the counters)

check = th.check


def raw_status(port, target, host, extra=b""):
    """Status, headers (lower-case names) and body of one request sent with this Host line
    (host None: no Host line, as HTTP/1.0)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    line = b"GET " + target.encode() + (b" HTTP/1.1\r\n" if host is not None else b" HTTP/1.0\r\n")
    if host is not None:
        line += b"Host: " + host.encode() + b"\r\n"
    s.sendall(line + b"Connection: close\r\n" + extra + b"\r\n")
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines[0].startswith("HTTP/") else None
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def test_headers(srv, web):
    answers = {
        "API": srv.get("/api/meta"),
        "API again (cached)": srv.get("/api/meta"),
        "API analysis": srv.get("/api/concentration?level=country&window=year"),
        "API CSV": srv.get("/api/concentration?level=country&format=csv"),
        "feed": srv.get("/feed.atom"),
        "400": srv.get("/api/concentration?level=bogus"),
        "404 API": srv.get("/api/nosuch"),
        "404 file": srv.get("/nosuch.html"),
        "405": srv.get("/api/meta", method="POST"),
        "HTML": srv.get("/"),
        "script": srv.get("/app.js"),
        "stylesheet": srv.get("/s.css"),
    }
    st, h, _ = answers["API"]
    answers["304"] = srv.get("/api/meta", {"If-None-Match": h.get("etag", "")})
    for name, (st, h, body) in answers.items():
        check(h.get("x-content-type-options") == "nosniff",
              f"nosniff on {name} ({st})", h)
    st, h, body = answers["feed"]
    check(st == 200 and h.get("referrer-policy") == "no-referrer", "feed: Referrer-Policy", h)
    st, h, body = answers["HTML"]
    csp = h.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    check(st == 200 and directives.get("script-src", [None])[0] == "'self'"
          and "'unsafe-inline'" not in directives.get("script-src", [])
          and "'unsafe-eval'" not in directives.get("script-src", [])
          and directives.get("connect-src") == ["'self'"]
          and directives.get("frame-ancestors") == ["'none'"]
          and directives.get("object-src") == ["'none'"]
          and directives.get("default-src") == ["'self'"],
          "HTML: CSP allows its own scripts and fetches only, no framing", csp)
    # The one inline script the dashboard has (the form's onsubmit) must be allowed by hash,
    # or the browser refuses it; any other inline code is not.
    index = os.path.join(th.ROOT, "web", "index.html")
    if os.path.exists(index):
        import base64
        import hashlib
        import re
        handlers = re.findall(r'\son[a-z]+="([^"]*)"', open(index).read())
        hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(x.encode()).digest()).decode()}'"
                  for x in handlers]
        check(all(x in directives.get("script-src", []) for x in hashes),
              f"web/index.html's inline handlers ({len(handlers)}) are allowed by hash", hashes)
    # Browsers replace a cached page's headers with its 304's: the page's 304 must carry the
    # page's policy, or the second load of the dashboard runs nothing.
    st, h304, _ = srv.get("/", {"If-None-Match": h.get("etag", "")})
    check(st == 304 and h304.get("content-security-policy") == csp,
          "HTML 304 carries the page's CSP", (st, h304.get("content-security-policy")))
    st, h304, _ = srv.get("/app.js", {"If-None-Match": answers["script"][1].get("etag", "")})
    check(st == 304 and h304.get("x-content-type-options") == "nosniff" and
          "default-src 'none'" in h304.get("content-security-policy", ""),
          "script 304: nosniff, data CSP", (st, h304))
    for name in ["API", "400", "404 file", "script", "feed"]:
        st, h, body = answers[name]
        check("default-src 'none'" in h.get("content-security-policy", ""),
              f"CSP on {name} runs nothing", h.get("content-security-policy"))


def test_hosts(srv, port):
    for host in [f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "127.0.0.1",
                 f"LOCALHOST:{port}", f"10.1.2.3:{port}", f"localhost.:{port}",
                 f"omen.example:{port}", "omen.example", f"Other.Example:{port}"]:
        st, h, body = raw_status(port, "/api/meta", host)
        check(st == 200 and b"store_version" in body, f"Host {host} is answered", (st, body[:200]))
    st, h, body = raw_status(port, "/api/meta", None)
    check(st == 200, "no Host (HTTP/1.0) is answered", (st, body[:200]))
    for host in [f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}",
                 f"localhost.evil.example:{port}", f"[::1]x:{port}", f"127.0.0.1:{port}x",
                 "attacker-rebind.localtest.me", f"[fe80::1%eth0]:{port}", ""]:
        for target in ["/api/meta", "/api/concentration?level=country", "/", "/app.js"]:
            st, h, body = raw_status(port, target, host)
            leaked = b"store_version" in body or b"<title>" in body or b"window.APP" in body \
                or b"period_start" in body or b"rows" in body
            err = {}
            try:
                err = json.loads(body)
            except ValueError:
                pass
            if not check(st in (400, 421) and not leaked and
                         (st == 400 or err.get("parameter") == "Host"),
                         f"Host {host!r} {target}: refused ({st}), no data",
                         (st, h, body[:300])):
                break
    st, h, body = raw_status(port, "/api/meta", f"evil.example:{port}")
    err = json.loads(body) if body.startswith(b"{") else {}
    check(st == 421 and "evil.example" in err.get("error", "") and "--allow-host" in
          err.get("error", "") and h.get("content-type") == "application/json" and
          h.get("x-content-type-options") == "nosniff",
          "421 JSON error names the Host and --allow-host", (st, h, body))


def main():
    if not os.access(th.OMEN, os.X_OK):
        th.ko("binary " + th.OMEN + " is missing")
        return th.finish()
    tmp = tempfile.mkdtemp(prefix="omen-headers-")
    try:
        db = os.path.join(tmp, "t.db")
        th.omen("synth", "--scale", "0.01", "--seed", "7", db=db, check_rc=0)
        web, _ = th.make_web(tmp)
        print("== security headers")
        try:
            srv = th.Server(db, web, ["--allow-host", "omen.example", "--allow-host",
                                      "other.example"])
        except RuntimeError as e:  # a server without the option: test the rest anyway
            th.ko("serve accepts --allow-host", e)
            srv = th.Server(db, web)
        try:
            test_headers(srv, web)
            print("== Host check")
            test_hosts(srv, srv.port)
        finally:
            rc = srv.stop()
        check(rc == 0, "server stops with 0", rc)
        try:
            srv = th.Server(db, web, ["--allow-host", "*"])
            try:
                st, h, body = raw_status(srv.port, "/api/meta", "anything.example")
                check(st == 200, "--allow-host '*' answers any Host", (st, body[:200]))
            finally:
                srv.stop()
        except RuntimeError as e:
            th.ko("serve accepts --allow-host '*'", e)
        r = th.omen("serve", "--help")
        check("--allow-host" in r.stdout and "rebinding" in r.stdout,
              "serve --help documents --allow-host", r.stdout[-600:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return th.finish()


if __name__ == "__main__":
    sys.exit(main())
