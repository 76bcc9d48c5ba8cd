#!/usr/bin/env python3
"""The tests' loopback model server (Tests/Fixtures/messages_server.py, run as it is) with two changes for a
throughput benchmark, so that an `echo:MS` call costs MS ms and little else:

- every stream goes out in one chunk, as the fixture's `fast` model sends its own. The fixture cuts streams into
  1-5 byte chunks 0.5 ms apart to test minic's parser on split lines; a short echoed answer (about 1 KB of
  events) then takes about 0.3 s to send, longer than the latency the benchmark sets;
- a listen backlog of 128 instead of socketserver's 5: with 5, some of 32 connections opened at once are reset
  here (a client retries them a second or more later), which a real provider's front end does not do.

    eval_server.py LOG   (prints the port on stdout, as the fixture does)
"""
import http.server
import os
import runpy
import sys

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests/Fixtures/messages_server.py")


def stream(self, payload, cut_after=None, stall=False, extra=None):
    """The fixture's `stream`, its payload in one chunk (the cut and stall models are not for benchmarks)."""
    if cut_after is not None or stall:
        raise ValueError("eval_server.py sends whole streams only")
    self.send_response(200)
    self.send_header("content-type", "text/event-stream")
    self.send_header("transfer-encoding", "chunked")
    for key, value in (extra or {}).items():
        self.send_header(key, value)
    self.end_headers()
    self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload))
    self.wfile.flush()


class WholeStreamServer(http.server.ThreadingHTTPServer):
    request_queue_size = 128

    def __init__(self, address, handler):
        handler.stream = stream
        super().__init__(address, handler)


# The fixture imports ThreadingHTTPServer from http.server when it runs, so it builds this one.
http.server.ThreadingHTTPServer = WholeStreamServer
sys.argv = [FIXTURE, *sys.argv[1:]]
runpy.run_path(FIXTURE, run_name="__main__")
