#!/usr/bin/env python3
"""A callback receiver for deploy/cluster/escd-check.sh (and anyone trying the cluster by hand).

    callback-receiver.py --out FILE [--port 0] [--delay-ms 0]

Listens on 127.0.0.1 only (port 0: a free one), prints `PORT <n>` on stdout once it listens,
and answers every request 200 with an empty body (HTTP/1.1, keep-alive), after --delay-ms.
Each request appends one tab-separated line to FILE, written and flushed before the answer:

    <unix time, µs>  <method>  <path>  <ESC-Transaction-Id>  <ESC-Status-Code>  <event_type>
    <deployment_stage>  <internal_deployment_id>

(`-` for what is missing; each is the body's first element of that name: event_type is the
callback's event (CREATE_TENANT, VM_RECOVERY_COMPLETE, ...), deployment_stage a deployment's
(VM_DEPLOYED, VM_ALIVE, SERVICE_ALIVE, ...)). Stops on SIGTERM or SIGINT and then prints `RECEIVED <count>`.
Standard library only (no pip on the test machines).
"""

import argparse
import http.server
import re
import signal
import sys
import threading
import time

def element(name):
    return re.compile(rb"<" + name + rb">\s*([^<\s]+)\s*</" + name + rb">")


FIELDS = [element(b"event_type"), element(b"deployment_stage"), element(b"internal_deployment_id")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()

    out = open(args.out, "a", encoding="utf-8")
    lock = threading.Lock()
    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()  # the CRLF after the chunk
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def handle_any(self):
            body = self.read_body()
            found = [pattern.search(body) for pattern in FIELDS]
            fields = [
                "%.6f" % time.time(),
                self.command,
                self.path,
                self.headers.get("ESC-Transaction-Id") or "-",
                self.headers.get("ESC-Status-Code") or "-",
            ] + [m.group(1).decode("ascii", "replace") if m else "-" for m in found]
            with lock:
                out.write("\t".join(f.replace("\t", " ") for f in fields) + "\n")
                out.flush()
                count[0] += 1
            if args.delay_ms > 0:
                time.sleep(args.delay_ms / 1000.0)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_GET = do_DELETE = handle_any

        def log_message(self, *_):  # one line per request is in --out already
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        # The listen backlog (socketserver's default is 5): a burst of callbacks (a takeover
        # sends a dead node's backlog at once) would otherwise see SYNs dropped, and their
        # senders retry a second later.
        request_queue_size = 1024

    server = Server(("127.0.0.1", args.port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)

    def stop(*_):
        # shutdown() waits for serve_forever, which runs in this thread: do it from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    with lock:
        print("RECEIVED %d" % count[0], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
