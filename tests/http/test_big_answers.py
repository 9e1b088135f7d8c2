#!/usr/bin/python3
"""test_big_answers.py: one request cannot take the server's memory (issue 17, item 2).

On a small synthetic store (scale 0.02: /api/shares?level=model&window=week&top=1000000 is
about 100 MB of JSON, top=200 about 7 MB), with --cache-mb 8 (so answers over 2 MB are never
cached) and --max-answer-mb 16:
1. An answer over the cap is a 413 JSON error naming `top` and --max-answer-mb; the growth
   of the server's peak RSS (VmHWM of /proc/PID/status) for that one build is the unit below.
2. On a fresh server, 12 concurrent identical requests for it: all 413, VmHWM grows by less
   than 1.5 builds (they share one computation).
3. On a fresh server, 8 concurrent distinct ones: all 413, VmHWM grows by less than 2.8
   builds (--computations 2: the others wait for a turn).
4. On a fresh server, 60 concurrent identical requests for a 7 MB answer that is too large to
   cache: all 200 with byte-identical bodies (meta.elapsed_s included, so computed once), and
   VmHWM grows by less than 6 answers' worth (without sharing, each request built its own).
All traffic to 127.0.0.1, bounded in count and time. Prints "N passed, N failed, N skipped".
BUILD names the build folder (default build)."""
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_http as th  # noqa: E402  (Server, omen(), check(), the counters)

check = th.check
HUGE = "/api/shares?level=model&window=week&top=1000000"
LARGE = "/api/shares?level=model&window=week&top=200"


def hwm_mb(pid):
    """Peak resident set of a process in MiB (VmHWM)."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def concurrent(port, target, n, keep_body):
    """n clients on their own connections, started together; [(status, body or size)]."""
    out = [None] * n
    go = threading.Barrier(n)

    def client(i):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            go.wait()
            c.request("GET", target)
            r = c.getresponse()
            if keep_body or r.status != 200:
                out[i] = (r.status, r.read())
            else:
                size = 0
                while True:
                    chunk = r.read(1 << 20)
                    if not chunk:
                        break
                    size += len(chunk)
                out[i] = (r.status, size)
            c.close()
        except Exception as e:  # noqa: BLE001 - a failed client is a test failure
            out[i] = (repr(e), b"")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return out


def warm(srv):
    """Loads what the first request of a kind loads, so that VmHWM then measures answers."""
    srv.get("/api/meta")
    srv.get(HUGE.replace("top=1000000", "top=3"))
    return hwm_mb(srv.p.pid)


def test_cap(srv):
    base = warm(srv)
    st, h, body = srv.get(HUGE)
    one = hwm_mb(srv.p.pid) - base
    err = json.loads(body) if body.startswith(b"{") and len(body) < 10000 else {}
    check(st == 413 and err.get("parameter") == "top" and "--max-answer-mb" in err.get("error", "")
          and h.get("content-type") == "application/json",
          f"an answer over --max-answer-mb is a 413 naming top ({st}, {len(body)} bytes)",
          body[:300])
    print(f"    one over-cap request: VmHWM +{one:.0f} MiB")
    st, h, body = srv.get(HUGE.replace("top=1000000", "top=3"))
    check(st == 200, "a small answer of the same view is still served", st)
    return max(one, 20)


def test_identical(srv, one):
    base = warm(srv)
    t0 = time.time()
    res = concurrent(srv.port, HUGE, 12, False)
    grew = hwm_mb(srv.p.pid) - base
    statuses = sorted({str(r[0]) for r in res})
    print(f"    12 concurrent identical over-cap requests: {statuses}, {time.time() - t0:.1f} s, "
          f"VmHWM +{grew:.0f} MiB (one alone: +{one:.0f})")
    check(statuses == ["413"], "12 concurrent identical over-cap requests: all 413", statuses)
    check(grew < 1.5 * one + 20, f"... share one build: VmHWM +{grew:.0f} MiB "
          f"(bound {1.5 * one + 20:.0f})")


def test_distinct(srv, one):
    base = warm(srv)
    t0 = time.time()
    # top=999990..999997: 8 distinct keys, each answer as large as top=1000000's
    targets = [HUGE.replace("top=1000000", f"top={999990 + i}") for i in range(8)]
    out = []
    threads = [threading.Thread(target=lambda t=t: out.extend(concurrent(srv.port, t, 1, False)))
               for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    grew = hwm_mb(srv.p.pid) - base
    statuses = sorted({str(r[0]) for r in out})
    print(f"    8 concurrent distinct over-cap requests: {statuses}, {time.time() - t0:.1f} s, "
          f"VmHWM +{grew:.0f} MiB (one alone: +{one:.0f})")
    check(statuses == ["413"] and len(out) == 8, "8 concurrent distinct over-cap requests: all 413",
          statuses)
    check(grew < 2.8 * one + 20, f"... at most 2 builds at once (--computations 2): VmHWM "
          f"+{grew:.0f} MiB (bound {2.8 * one + 20:.0f})")


def test_shared(srv):
    st, h, body = srv.get("/api/shares?level=model&window=week&top=2")
    base = hwm_mb(srv.p.pid)
    t0 = time.time()
    res = concurrent(srv.port, LARGE, 60, True)
    after = hwm_mb(srv.p.pid)
    bodies = {r[1] for r in res if r[0] == 200}
    size = max((len(b) for b in bodies), default=0) / (1 << 20)
    ok = sum(1 for r in res if r[0] == 200)
    print(f"    60 concurrent identical requests: {ok} answered, {len(bodies)} distinct bodies "
          f"of {size:.1f} MiB, {time.time() - t0:.1f} s, VmHWM {base:.0f} -> {after:.0f} MiB")
    check(ok == 60, f"60 concurrent identical large requests: all 200 ({ok})",
          [r[0] for r in res if r[0] != 200][:5])
    check(len(bodies) == 1, f"... one computation shared by all (distinct bodies: "
          f"{len(bodies)}; meta.elapsed_s differs between computations)")
    check(size > 3 and after - base < 6 * size + 30,
          f"... VmHWM +{after - base:.0f} MiB for a {size:.1f} MiB answer "
          f"(bound {6 * size + 30:.0f})", (base, after))


def main():
    if not os.access(th.OMEN, os.X_OK):
        th.ko("binary " + th.OMEN + " is missing")
        return th.finish()
    tmp = tempfile.mkdtemp(prefix="omen-big-")
    try:
        db = os.path.join(tmp, "t.db")
        th.omen("synth", "--scale", "0.02", "--seed", "7", db=db, check_rc=0)
        web, _ = th.make_web(tmp)
        opts = ["--cache-mb", "8", "--max-answer-mb", "16", "--computations", "2"]
        one = None
        for phase, test in [("answer size cap", test_cap), ("identical over-cap requests",
                            test_identical), ("distinct over-cap requests", test_distinct),
                            ("shared computation", test_shared)]:
            print("== " + phase)
            try:
                srv = th.Server(db, web, opts)
            except RuntimeError as e:  # a server without the options: test the rest anyway
                th.ko("serve accepts --max-answer-mb and --computations", e)
                srv = th.Server(db, web, ["--cache-mb", "8"])
            try:
                if test is test_cap:
                    one = test(srv)
                elif test in (test_identical, test_distinct):
                    test(srv, one)
                else:
                    test(srv)
            finally:
                rc = srv.stop()
            check(rc == 0, "server stops with 0", rc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return th.finish()


if __name__ == "__main__":
    sys.exit(main())
