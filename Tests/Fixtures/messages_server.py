#!/usr/bin/env python3
"""A loopback HTTP server speaking Anthropic's Messages API (and, at
/v1/chat/completions, the OpenAI-compatible chat API), for minic's tests.

POST /v1/messages with stream=true answers with server-sent events in chunked
encoding, cut into 1-5 byte pieces (splitting lines and UTF-8 sequences). The
requested "model" picks a behaviour:
  ok, ok-crlf        a normal stream (CRLF line ends for ok-crlf)
  429-then-ok        429 with retry-after: 1 the first time, then ok
  529-then-ok        529 overloaded_error the first time, then ok
  always-529         529 every time
  bad-request        400 invalid_request_error
  drop               part of the stream, then the connection is cut mid-chunk
  stall              headers and message_start, then nothing for 30 s
  error-event        an error event (overloaded_error) in the stream
  reply-file:PATH    a normal stream whose text is the content of PATH
  reply-fix:A:B      the content of file A, or of file B when the prompt shows a failed check (a fix round)
  echo, echo:MS      the user message's text back (after MS milliseconds): answers follow the prompt, so a template
                     change changes what evals score
  fast               the whole stream in one write (for first-token timing)
  big:N              a normal stream of N bytes of text in 4 KiB deltas, written in 64 KiB chunks (throughput)
  endless            message_start, a text block, then text deltas forever
  endless-pings      message_start, then pings forever
  endless-line       one `data:` line that never ends
  huge-error-400     400 with an 8 MiB plain-text body
  delta-before-start a content_block_delta before message_start
  delta-after-stop   a normal stream, then a content_block_delta after message_stop
  no-text-block      message_start, message_delta, message_stop: no content block
  usage-overflow, usage-negative, usage-fraction, usage-huge, usage-bool
                     a normal stream whose message_start reports that impossible input_tokens
  no-deltas          a text block with no deltas; empty-deltas: only empty text deltas
  unnamed-data       a data event without an `event:` line mid-stream
  ping-after-stop    a normal stream, then a ping; unknown-after-stop: then an unknown event;
                     data-after-stop: then an unnamed data event
  echo-key-400       400 whose error message echoes the key sent (and its base64), OTHER_SECRET and escape sequences
  echo-key-401       401 with no body, the key sent in the status line's reason phrase
  echo-key-event     message_start, then an error event whose message echoes the key sent
  limited:N:W        a normal stream with anthropic-ratelimit-requests-{limit,remaining,reset} headers of a
                     window of N requests per W seconds (starting at the first request after the last
                     window ended); past N, 429 with retry-after (and LOG.limited gets a line)
  echo-key-form:F    400 echoing the key sent in form F: zwsp, shy (format characters inside),
                     basic (base64 of user:KEY), x1, x2 (base64 of 1 or 2 bytes + KEY), x1url,
                     hex, HEX, pct (percent-encoded), detail, vllm (JSON with every character
                     \\u-escaped), cut (a plain-text body with the key across byte 300)
The echo-key models answer whatever key was sent; every other request needs
x-api-key: test-key-123 and anthropic-version: 2023-06-01 (else 401).
/v1/chat/completions knows ok (any name), 429-then-ok, bad-request, drop, stall,
endless, no-content (an empty answer), after-done (a chunk after [DONE]),
no-done (no [DONE]) and echo-key-400 (the bearer key echoed).
Each request is appended to LOG as a JSON line (time received, headers, body); each endless
stream the client closed is appended to LOG.closed (model, bytes sent).
Usage: messages_server.py LOG   (prints the port on stdout)"""
import base64
import json
import socket
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
COUNTS = {}
WINDOWS = {}
LOCK = threading.Lock()
TEXT = ["Hello", ", wör", "ld 🙂"]
# Models whose message_start reports an impossible input_tokens (usage-overflow: Int64.max; usage-negative; usage-fraction).
USAGE = {"usage-overflow": 9223372036854775807, "usage-negative": -5, "usage-fraction": 2.5, "usage-huge": 10**17, "usage-bool": True}
# A token the client does not hold, for its secret redactor to find in error text.
OTHER_SECRET = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"


def events(model, crlf=False, text=None):
    sep = "\r\n" if crlf else "\n"
    def ev(name, data):
        return f"event: {name}{sep}data: {json.dumps(data, ensure_ascii=False)}{sep}{sep}"
    out = [ev("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": model,
                                                                      "content": [], "stop_reason": None, "usage": {"input_tokens": USAGE.get(model, 25), "output_tokens": 1}}}),
           ev("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
           f": a comment line{sep}",
           ev("ping", {"type": "ping"})]
    for piece in (TEXT if text is None else text):
        out.append(ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}))
    out += [ev("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 7}}),
            ev("message_stop", {"type": "message_stop"})]
    return "".join(out).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, payload, extra=None):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def endless(self, model, start, piece):
        """Headers, `start`, then `piece` forever, until the client closes the connection."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        sent = 0
        try:
            if start:  # An empty chunk would end the body.
                self.chunk(start)
            sent = len(start)
            block = piece * max(1, 65536 // len(piece))
            while True:
                self.chunk(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            with LOCK, open(LOG + ".closed", "a") as log:
                log.write(json.dumps({"model": model, "sent": sent}) + "\n")

    def echo_key(self, model, key):
        """Error answers that echo the key the client sent back to it (as careless servers do)."""
        b64 = base64.b64encode(key.encode()).decode()
        if model.startswith("echo-key-form:"):
            form = model[len("echo-key-form:"):]
            escaped = "".join("\\u%04x" % ord(c) for c in key)
            if form in ("detail", "vllm"):
                inner = f'"detail": "bad key {escaped}"' if form == "detail" else \
                    f'"object": "error", "message": "bad key {escaped}", "type": "BadRequestError", "code": 400'
                body = ("{" + inner + "}").encode()
            elif form == "cut":
                body = ("z" * 290 + key + " rest").encode()
            else:
                shown = {
                    "zwsp": key[:6] + "\u200b" + key[6:12] + "\u2060" + key[12:],
                    "shy": key[:4] + "\u00ad" + key[4:] + "\ufeff",
                    "basic": "Basic " + base64.b64encode(("user:" + key).encode()).decode(),
                    "x1": base64.b64encode(("x" + key + "y").encode()).decode(),
                    "x2": base64.b64encode(("xy" + key).encode()).decode(),
                    "x1url": base64.urlsafe_b64encode(("x" + key).encode()).decode().rstrip("="),
                    "hex": key.encode().hex(),
                    "HEX": key.encode().hex().upper(),
                    "pct": urllib.parse.quote(key, safe=""),
                }[form]
                body = json.dumps({"type": "error", "error": {"type": "invalid_request_error", "message": f"bad key {shown}"}}).encode()
            self.send_response(400)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if model == "echo-key-401":
            self.send_response(401, f"Unauthorized: bad key {key}")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        if model == "echo-key-event":
            error = {"type": "error", "error": {"type": "authentication_error", "message": f"key {key} revoked\x1b]0;owned\x07"}}
            payload = events(model)[:events(model).index(b"event: content_block_start")]
            return self.stream(payload + f"event: error\ndata: {json.dumps(error)}\n\n".encode())
        message = f"invalid key {key} (basic {b64}); not {OTHER_SECRET}\x1b[2J\x1b[31m"
        return self.send_json(400, {"type": "error", "error": {"type": "invalid_request_error", "message": message}})

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def limited(self, model):
        """limited:N:W: a fixed window of N requests per W seconds, told in Anthropic's rate-limit headers."""
        _, n, w = model.split(":")
        n, w = int(n), float(w)
        with LOCK:
            now = time.time()
            start, count = WINDOWS.get(model, (now, 0))
            if now >= start + w:
                start, count = now, 0
            count += 1
            WINDOWS[model] = (start, count)
        # Rounded up to the millisecond: a client waiting until the reset must find the new window.
        reset = datetime.fromtimestamp(start + w + 0.001, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        headers = {"anthropic-ratelimit-requests-limit": str(n), "anthropic-ratelimit-requests-remaining": str(max(0, n - count)),
                   "anthropic-ratelimit-requests-reset": reset}
        if count > n:
            with LOCK, open(LOG + ".limited", "a") as log:
                log.write(json.dumps({"model": model, "time": now}) + "\n")
            headers["retry-after"] = str(max(1, int(start + w - now + 0.999)))
            return self.send_json(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "rate limited"}}, headers)
        return self.stream(events(model), extra=headers)

    def stream(self, payload, cut_after=None, stall=False, extra=None):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        position, size = 0, 1
        while position < len(payload):
            piece = payload[position:position + size]
            if cut_after is not None and position >= cut_after:
                # Promise a chunk of 100 bytes, send 3, and cut the connection.
                self.wfile.write(b"64\r\n" + payload[position:position + 3])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.chunk(piece)
            position += size
            size = size % 5 + 1
            time.sleep(0.0005)
            if stall and b"message_start" in payload[:position] and b"content_block_start" not in payload[:position]:
                time.sleep(30)
                return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def chat_completions(self, body):
        """OpenAI-compatible /v1/chat/completions: chunks, a usage chunk, then [DONE]."""
        if self.headers.get("authorization") not in (None, "Bearer test-key-123") and body.get("model") != "echo-key-400":
            return self.send_json(401, {"error": {"type": "invalid_request_error", "message": "Incorrect API key provided"}})
        model = body.get("model", "")
        with LOCK:
            COUNTS["openai:" + model] = COUNTS.get("openai:" + model, 0) + 1
            count = COUNTS["openai:" + model]
        if model == "429-then-ok" and count == 1:
            return self.send_json(429, {"error": {"type": "rate_limit_exceeded", "message": "slow down"}}, {"retry-after": "1"})
        if model == "bad-request":
            return self.send_json(400, {"error": {"type": "invalid_request_error", "message": "unknown model"}})
        if model == "echo-key-400":
            key = (self.headers.get("authorization") or "").removeprefix("Bearer ")
            return self.send_json(400, {"error": {"type": "invalid_request_error", "message": f"Incorrect API key provided: {key}; not {OTHER_SECRET}"}})
        def chunk(delta, finish=None):
            return {"id": "c1", "object": "chat.completion.chunk", "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        parts = [chunk({"role": "assistant", "content": ""})] + [chunk({"content": piece}) for piece in TEXT] + [chunk({}, "stop")]
        parts.append({"id": "c1", "object": "chat.completion.chunk", "model": model, "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 5}})
        if model == "no-content":
            parts = [chunk({"role": "assistant", "content": ""}), chunk({}, "stop")]
        data = "".join(f"data: {json.dumps(p, ensure_ascii=False)}\n\n" for p in parts)
        payload = (data + ("" if model == "no-done" else "data: [DONE]\n\n")).encode()
        if model == "after-done":
            payload += f"data: {json.dumps(chunk({'content': 'late'}))}\n\n".encode()
        if model == "endless":
            return self.endless(model, b"", f"data: {json.dumps(chunk({'content': 'more '}))}\n\n".encode())
        if model == "drop":
            return self.stream(payload, cut_after=payload.index(b"ld \xf0") - 40)
        if model == "stall":
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            self.chunk(payload[:payload.index(b"Hello")])
            time.sleep(30)
            return
        return self.stream(payload)

    def do_POST(self):
        received = time.time()
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        with LOCK, open(LOG, "a") as log:
            log.write(json.dumps({"time": received, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}) + "\n")
        if self.path == "/v1/chat/completions":
            return self.chat_completions(body)
        if self.path != "/v1/messages":
            return self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "no such path"}})
        if body.get("model", "").startswith("echo-key-"):
            return self.echo_key(body["model"], self.headers.get("x-api-key") or "")
        if self.headers.get("x-api-key") != "test-key-123" or self.headers.get("anthropic-version") != "2023-06-01" \
                or self.headers.get("content-type") != "application/json":
            return self.send_json(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
        model = body.get("model", "")
        with LOCK:
            COUNTS[model] = COUNTS.get(model, 0) + 1
            count = COUNTS[model]
        if model == "429-then-ok" and count == 1:
            return self.send_json(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}, {"retry-after": "1"})
        if model.startswith("limited:"):
            return self.limited(model)
        if model == "529-then-ok" and count == 1 or model == "always-529":
            return self.send_json(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
        if model == "bad-request":
            return self.send_json(400, {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too large"}})
        if model == "huge-error-400":
            self.send_response(400)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(8 << 20))
            self.end_headers()
            try:
                self.wfile.write(b"z" * (8 << 20))
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if model == "drop":
            payload = events(model)
            return self.stream(payload, cut_after=payload.index(b"ld \xf0") - 40)
        if model == "stall":
            return self.stream(events(model), stall=True)
        if model == "error-event":
            payload = events(model)
            error = b'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'
            cut = payload.index(b"event: content_block_stop")
            return self.stream(payload[:cut] + error)
        if model == "fast":
            # The whole stream in one write: the first byte carries the first token.
            payload = events(model)
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            return
        if model.startswith("endless"):
            start = events(model)[:events(model).index(b": a comment line")]
            if model == "endless-pings":
                return self.endless(model, start[:start.index(b"event: content_block_start")], b'event: ping\ndata: {"type": "ping"}\n\n')
            if model == "endless-line":
                return self.endless(model, start + b"data: ", b"x" * 1024)
            delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "more text "}}
            return self.endless(model, start, f"event: content_block_delta\ndata: {json.dumps(delta)}\n\n".encode())
        if model.startswith("big:"):
            text = "y" * 4096
            payload = events(model, text=[text] * (int(model[4:]) // 4096))
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for i in range(0, len(payload), 65536):
                self.chunk(payload[i:i + 65536])
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return
        if model in ("no-deltas", "empty-deltas", "unnamed-data"):
            text = [] if model == "no-deltas" else ["", ""] if model == "empty-deltas" else TEXT
            payload = events(model, text=text)
            if model == "unnamed-data":
                at = payload.index(b"event: content_block_stop")
                payload = payload[:at] + b'data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x"}}\n\n' + payload[at:]
            return self.stream(payload)
        if model.endswith("-after-stop") and model != "delta-after-stop":
            extra = {"ping-after-stop": b'event: ping\ndata: {"type": "ping"}\n\n',
                     "unknown-after-stop": b'event: future_event\ndata: {"type": "future_event"}\n\n',
                     "data-after-stop": b'data: {"type": "message_stop"}\n\n'}[model]
            return self.stream(events(model) + extra)
        if model in ("delta-before-start", "delta-after-stop", "no-text-block"):
            payload = events(model)
            delta_at = payload.index(b"event: content_block_delta")
            delta = payload[delta_at:payload.index(b"event: content_block_delta", delta_at + 1)]
            if model == "delta-before-start":
                payload = delta + payload
            elif model == "delta-after-stop":
                payload += delta
            else:
                payload = payload[:payload.index(b"event: content_block_start")] + payload[payload.index(b"event: message_delta"):]
            return self.stream(payload)
        if model.startswith("drip:") or model.startswith("drip-file:"):
            # drip:N:MS: N text deltas ("piece-0\n" ...), one every MS milliseconds, each flushed on its own;
            # drip-file:MS:PATH: the file's text in deltas of 10 characters, one every MS milliseconds.
            if model.startswith("drip-file:"):
                _, ms, path = model.split(":", 2)
                with open(path, encoding="utf-8") as answer:
                    content = answer.read()
                payload = events(model, text=[content[i:i + 10] for i in range(0, len(content), 10)])
            else:
                _, n, ms = model.split(":")
                payload = events(model, text=[f"piece-{i}\n" for i in range(int(n))])
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for part in payload.split(b"\n\n"):
                if part.strip():
                    self.chunk(part + b"\n\n")
                    if b"content_block_delta" in part:
                        time.sleep(int(ms) / 1000)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return
        if model.startswith("reply-fix:"):
            # reply-fix:WRONG:RIGHT: the content of WRONG, or of RIGHT once the prompt shows a failed check
            # (a fix round: "failed (" in the user message), so a task's fix rounds can be tested.
            wrong, right = model[len("reply-fix:"):].split(":", 1)
            prompt = json.dumps(body.get("messages", []))
            with open(right if "failed (" in prompt else wrong, encoding="utf-8") as answer:
                content = answer.read()
            return self.stream(events(model, text=[content[i:i + 40] for i in range(0, len(content), 40)]))
        if model == "echo" or model.startswith("echo:"):
            if model.startswith("echo:"):
                time.sleep(int(model[len("echo:"):]) / 1000)
            text = "".join(part.get("text", "") if isinstance(part, dict) else "" for message in body.get("messages", [])
                           for part in (message.get("content") if isinstance(message.get("content"), list) else [{"text": message.get("content", "")}]))
            return self.stream(events(model, text=[text[i:i + 40] for i in range(0, len(text), 40)] or [""]))
        if model.startswith("reply-file:"):
            with open(model[len("reply-file:"):], encoding="utf-8") as answer:
                content = answer.read()
            return self.stream(events(model, text=[content[i:i + 40] for i in range(0, len(content), 40)]))
        return self.stream(events(model, crlf=model == "ok-crlf"))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
