#!/usr/bin/python3
"""test_slowloris.py: slow clients cannot starve `omen serve` (issue 17, item 3).

All traffic goes to 127.0.0.1; the slow clients come from other loopback source addresses
(127.0.0.2 ...), so that the per-address limit and the connection limit can be told apart.
1. A client that trickles a header byte every 0.3 s is closed by the head deadline
   (--header-timeout 2), though it is never idle.
2. 300 such clients from three addresses (more than --max-connections 256), reopening each
   connection the server closes (at most 3000 opens, 8 s): normal requests from 127.0.0.1,
   one every 0.2 s, are all answered, each in under 2 s.
3. --max-per-ip: from one address, the connections over the limit are closed at once, and
   others are still answered.
Everything is bounded in sockets and time and stops by itself. Prints "N passed, N failed,
N skipped". BUILD names the build folder (default build)."""
import http.client
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_http as th  # noqa: E402  (Server, omen(), check(), the counters)

check = th.check
HEAD = b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def slow_socket(port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def trickle(s, first):
    try:
        s.send(HEAD if first else b"a")
        return True
    except BlockingIOError:
        return True
    except OSError:
        return False


def closed_now(s):
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def normal_get(port, timeout=2.0):
    t0 = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", "/api/meta")
        r = c.getresponse()
        r.read()
        c.close()
        return r.status, time.time() - t0
    except Exception as e:  # noqa: BLE001 - a refused, reset or timed-out request is the failure
        return repr(e), time.time() - t0


def test_deadline(port):
    s = slow_socket(port, "127.0.0.1")
    t0 = time.time()
    first, closed_at = True, None
    while time.time() - t0 < 8:
        if not trickle(s, first) or closed_now(s):
            closed_at = time.time() - t0
            break
        first = False
        time.sleep(0.3)
    s.close()
    check(closed_at is not None and 1.5 <= closed_at <= 4.5,
          f"a trickling client is closed by the 2 s head deadline "
          f"({'%.1f s' % closed_at if closed_at else 'still open after 8 s'})")


def test_flood(port, srv):
    sources = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    socks, fresh = [], []
    opens = 0
    for i in range(300):
        socks.append(slow_socket(port, sources[i % 3]))
        fresh.append(True)
        opens += 1
    stop = threading.Event()
    results = []

    def normal():
        while not stop.is_set():
            results.append(normal_get(port))
            time.sleep(0.2)

    time.sleep(0.5)  # let the flood take the table first
    t = threading.Thread(target=normal)
    t.start()
    t0 = time.time()
    reopened = 0
    while time.time() - t0 < 8:
        for i, s in enumerate(socks):
            if not trickle(s, fresh[i]) or closed_now(s):
                s.close()
                if opens < 3000:  # a real slowloris reconnects at once
                    socks[i] = slow_socket(port, sources[i % 3])
                    fresh[i] = True
                    opens += 1
                    reopened += 1
                continue
            fresh[i] = False
        time.sleep(0.3)
    stop.set()
    t.join()
    for s in socks:
        s.close()
    bad = [r for r in results if r[0] != 200 or r[1] >= 2.0]
    lat = sorted(r[1] for r in results)
    worst = lat[-1] if lat else None
    print(f"    normal requests under 300 slow clients: {len(results)}, "
          f"{len(results) - len(bad)} answered in time, max {worst:.3f} s, "
          f"median {lat[len(lat) // 2]:.3f} s; slow connections reopened {reopened}")
    check(len(results) >= 20 and not bad,
          f"under 300 slow clients, every normal request is answered in < 2 s "
          f"({len(results) - len(bad)}/{len(results)})", bad[:5])
    st, h, body = srv.get("/api/meta")
    check(st == 200, "the server answers after the flood", st)


def test_per_ip(port, limit):
    socks = [slow_socket(port, "127.0.0.5") for _ in range(limit + 10)]
    for s in socks:
        trickle(s, True)
    time.sleep(1.0)
    closed = sum(1 for s in socks if closed_now(s))
    st, lat = normal_get(port)
    for s in socks:
        s.close()
    check(closed >= 10 and closed <= 12,
          f"--max-per-ip {limit}: {closed} of {limit + 10} connections from one address "
          f"closed at once", closed)
    check(st == 200 and lat < 2.0, "another address is still answered", (st, lat))


def main():
    if not os.access(th.OMEN, os.X_OK):
        th.ko("binary " + th.OMEN + " is missing")
        return th.finish()
    tmp = tempfile.mkdtemp(prefix="omen-slow-")
    try:
        db = os.path.join(tmp, "t.db")
        th.omen("synth", "--scale", "0.01", "--seed", "7", db=db, check_rc=0)
        web, _ = th.make_web(tmp)
        opts = ["--header-timeout", "2", "--max-per-ip", "100",
                "--max-connections", "256"]
        try:
            srv = th.Server(db, web, opts)
        except RuntimeError as e:  # a server without the options: test the rest anyway
            th.ko("serve accepts --header-timeout and --max-per-ip", e)
            srv = th.Server(db, web, ["--max-connections", "256"])
        try:
            print("== head deadline")
            test_deadline(srv.port)
            print("== 300 slow clients")
            test_flood(srv.port, srv)
            print("== per-address limit")
            test_per_ip(srv.port, 100)
        finally:
            rc = srv.stop()
        check(rc == 0, "server stops with 0", rc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return th.finish()


if __name__ == "__main__":
    sys.exit(main())
