#!/usr/bin/python3
"""A stand-in for the Hub API on 127.0.0.1, replaying a listing so that `omen pull` can be tested
offline: GET /api/models answers pages of --page-size records with a Link: rel="next" header
(a cursor), GET /models.parquet serves a file with Range support. Faults are injected on the
first request of a page: 429 (with Retry-After: 1), 500, 503, or `drop` (the headers promise the
whole body, half of it is sent, then the connection is closed). --down-from K answers 503 to every
request for page K and later (an outage, to test resuming). Every request is logged, one line
each, to --log: "<page or parquet> <status> <path>".

usage: server.py --records FILE.json --port-file F --log F [--page-size N] [--faults 429@1,drop@2]
                 [--down-from K] [--add N] [--parquet FILE] [--parquet-faults drop] [--port P]
"""
import argparse
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
records = []
seen = set()
lock = threading.Lock()


def log(line):
    with lock, open(args.log, "a") as f:
        f.write(line + "\n")


def first_time(key):
    with lock:
        if key in seen:
            return False
        seen.add(key)
        return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=(), drop=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if drop:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/api/models":
            return self.models(url, q)
        if url.path == "/models.parquet" and args.parquet:
            return self.parquet()
        log(f"- 404 {self.path}")
        self.send(404, b'{"error": "not found"}')

    def models(self, url, q):
        page = int(q.get("cursor", ["0"])[0])
        size = min(int(q.get("limit", [str(args.page_size)])[0]), args.page_size)
        fault = args.fault_of.get(page) if first_time(("page", page)) else None
        if args.down_from is not None and page >= args.down_from:
            fault = "503"
        if fault in ("429", "500", "503"):
            log(f"{page} {fault} {self.path}")
            hdrs = [("Retry-After", "1")] if fault == "429" else []
            return self.send(int(fault), b'{"error": "try later"}', hdrs)
        start = page * args.page_size
        chunk = records[start:start + size]
        hdrs = [("Content-Type", "application/json")]
        if start + args.page_size < len(records):
            nxt = dict(q)
            nxt["cursor"] = [str(page + 1)]
            link = (f"http://{self.headers['Host']}{url.path}?"
                    f"{urllib.parse.urlencode(nxt, doseq=True)}")
            hdrs.append(("Link", f'<{link}>; rel="next"'))
        log(f"{page} {'drop' if fault == 'drop' else 200} {self.path}")
        self.send(200, json.dumps(chunk).encode(), hdrs, drop=fault == "drop")

    def parquet(self):
        data = open(args.parquet, "rb").read()
        rng = self.headers.get("Range")
        drop = "drop" in args.parquet_faults and first_time(("parquet",))
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            log(f"parquet 206 from {start}")
            return self.send(206, data[start:], [
                ("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")])
        log(f"parquet {'drop' if drop else 200}")
        self.send(200, data, [("Accept-Ranges", "bytes")], drop=drop)


def main():
    global args, records
    p = argparse.ArgumentParser()
    p.add_argument("--records", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--page-size", type=int, default=3)
    p.add_argument("--faults", default="")
    p.add_argument("--down-from", type=int)
    p.add_argument("--add", type=int, default=0)
    p.add_argument("--parquet")
    p.add_argument("--parquet-faults", default="")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    args.fault_of = {}
    for f in filter(None, args.faults.split(",")):
        kind, page = f.split("@")
        args.fault_of[int(page)] = kind
    records = json.load(open(args.records))
    for i, r in enumerate(records):
        if args.add and r.get("downloadsAllTime") is not None:
            r["downloadsAllTime"] += args.add * (i + 1)
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
