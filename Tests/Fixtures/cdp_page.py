#!/usr/bin/env python3
"""Drives minic's review page in headless Chromium through the Chrome DevTools Protocol (stdlib only).

    cdp_page.py --url http://127.0.0.1:PORT/ --scenario merge|reject|rollback|task|look [--token T] [--proposal ID]
                [--screenshot OUT.png] [--pid-file F] [--timeout S]

Starts `chromium --headless=new` with a fresh profile, speaks the WebSocket protocol itself (handshake and
framing), and works the page as a person would: types the token, opens the proposal, clicks buttons. Every
wait is bounded. Prints one JSON object of what it saw on stdout; exits 1 (with the reason on stderr) when
the page does not behave. Chromium dies with this script (PR_SET_PDEATHSIG) and is killed when it ends;
its pid goes to --pid-file so the test can kill it too.
"""
import argparse, base64, ctypes, http.client, json, os, re, shutil, signal, socket, struct, subprocess, sys, tempfile, time


class Failure(Exception):
    pass


class WebSocket:
    """A minimal RFC 6455 client: text frames out (masked), text/continuation/ping/close in."""

    def __init__(self, url, timeout):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {m.group(3)} HTTP/1.1\r\nHost: {m.group(1)}:{m.group(2)}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise Failure("the DevTools websocket closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise Failure(f"websocket handshake refused: {head[:200]!r}")

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise Failure("the DevTools websocket closed")
            data += chunk
        return data

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            data = self._exact(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise Failure("the DevTools websocket was closed by Chromium")
            if opcode == 0x9:  # ping: answer, keep reading
                continue
            message += data
            if b0 & 0x80:
                return message.decode()


class Page:
    """One page target: commands by id, events kept for the log."""

    def __init__(self, ws, deadline):
        self.ws, self.deadline, self.next_id, self.log = ws, deadline, 0, []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            self.check_time(method)
            message = json.loads(self.ws.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise Failure(f"{method}: {message['error']}")
                return message.get("result", {})
            if message.get("method") == "Runtime.consoleAPICalled":
                self.log.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in message["params"]["args"]))
            elif message.get("method") == "Log.entryAdded":  # CSP violations, failed loads
                entry = message["params"]["entry"]
                self.log.append(f"log {entry.get('level')}: {entry.get('text')}")
            elif message.get("method") == "Runtime.exceptionThrown":
                self.log.append("exception: " + json.dumps(message["params"]["exceptionDetails"])[:500])

    def check_time(self, what):
        if time.monotonic() > self.deadline:
            raise Failure(f"timed out ({what})")

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise Failure(f"JavaScript failed: {expression[:120]}: {json.dumps(result['exceptionDetails'])[:400]}")
        return result["result"].get("value")

    def wait(self, expression, what, seconds=15):
        """Polls a JavaScript expression until it is truthy; bounded by `seconds` and the overall deadline."""
        until = min(time.monotonic() + seconds, self.deadline)
        while True:
            if self.js(f"Boolean({expression})"):
                return
            if time.monotonic() > until:
                error = self.js("(document.querySelector('.error') || {}).textContent || ''")
                raise Failure(f"timed out waiting for {what}" + (f" (the page shows: {error})" if error else ""))
            time.sleep(0.1)

    def click(self, selector):
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def fill(self, selector, value):
        self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = {json.dumps(value)};"
                " e.dispatchEvent(new Event('input', {bubbles: true})); })()")


def start_chromium(profile, timeout, pid_file):
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not binary:
        raise Failure("no chromium on PATH (apt-get install chromium)")
    libc = ctypes.CDLL(None, use_errno=True)

    def die_with_parent():
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: Chromium never outlives this script
        os.setpgid(0, 0)

    args = [binary, "--headless=new", "--no-sandbox", "--remote-debugging-port=0", f"--user-data-dir={profile}", "--no-first-run",
            "--no-default-browser-check", "--disable-gpu", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-crash-reporter", "--disable-breakpad", "--window-size=1280,900", "about:blank"]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=die_with_parent)
    if pid_file:
        with open(pid_file, "w") as f:
            f.write(str(process.pid))
    os.set_blocking(process.stderr.fileno(), False)
    seen, until = b"", time.monotonic() + timeout
    while time.monotonic() < until:
        chunk = process.stderr.read() or b""
        seen += chunk
        m = re.search(rb"DevTools listening on (ws://\S+)", seen)
        if m:
            return process, m.group(1).decode()
        if process.poll() is not None:
            raise Failure(f"chromium exited with {process.returncode}: {seen.decode(errors='replace')[-1000:]}")
        time.sleep(0.05)
    raise Failure(f"chromium printed no DevTools URL within {timeout} s: {seen.decode(errors='replace')[-1000:]}")


def open_page(browser_url, timeout):
    """A new page target through the HTTP endpoint next to the browser's websocket."""
    m = re.match(r"ws://([^/:]+):(\d+)/", browser_url)
    connection = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=timeout)
    connection.request("PUT", "/json/new?about:blank")
    target = json.loads(connection.getresponse().read())
    return target["webSocketDebuggerUrl"]


# MARK: scenarios

def set_token(page, token):
    # Before a token: the page says clearly that one is needed (when the server has tokens).
    page.wait("document.querySelector('#view .error, #view h1')", "the first view")
    seen = {"before_token": page.js("(document.querySelector('#view .error') || {}).textContent || ''")}
    if token:
        page.fill("#token", token)
        page.click("#token-save")
        page.wait("sessionStorage.getItem('minic.token') !== null", "the token in sessionStorage")
        seen["token_in_local_storage"] = page.js("Object.keys(localStorage).length > 0")
    return seen


def open_proposal(page, proposal, seen):
    row = f"#proposals tr.proposal[data-id={json.dumps(proposal)}]"
    page.wait(f"document.querySelector({json.dumps(row)})", f"proposal {proposal} in the list")
    seen["listed_badges"] = page.js(f"[...document.querySelectorAll({json.dumps(row + ' .badge:not(.zero)')})].map(b => b.className + ':' + b.textContent)")
    if not seen["listed_badges"]:
        raise Failure("the proposal is listed without class marks")
    page.click(row + " a")
    page.wait("document.querySelector('#diff .line.add')", "the diff")
    seen["path_marks"] = page.js("[...document.querySelectorAll('#proposal .paths li')].map(li => li.querySelector('.mark').textContent + ' ' + li.querySelector('code').textContent)")
    colours = page.js("""(() => {
        const bg = (s) => { const e = document.querySelector(s); return e ? getComputedStyle(e).backgroundColor : null; };
        return {add: bg('#diff .line.add'), del: bg('#diff .line.del'), ctx: bg('#diff .line.ctx'), hunk: bg('#diff .line.hunk'),
                tokens: [...new Set([...document.querySelectorAll('#diff [class^=tok-]')].map(t => t.className))].sort(),
                lines: document.querySelectorAll('#diff .line').length};
    })()""")
    seen["diff"] = colours
    seen["diff_text"] = page.js("document.querySelector('#diff').textContent")
    if not colours["add"] or colours["add"] == colours["ctx"] or colours["add"] in ("rgba(0, 0, 0, 0)", "transparent"):
        raise Failure(f"added lines are not coloured: {colours}")
    if not colours["tokens"]:
        raise Failure("no syntax colouring in the diff")
    seen["head_shown"] = page.js("document.querySelector('#proposal').dataset.head")


def screenshot(page, path):
    page.js("window.scrollTo(0, 0)")
    box = page.js("(() => { const r = document.querySelector('#proposal').getBoundingClientRect(); "
                  "return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; })()")
    clip = {"x": 0, "y": 0, "width": 1280, "height": min(max(box["y"] + box["height"] + 24, 600), 2400), "scale": 1}
    shot = page.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def outcome(page, button):
    page.click(button)
    page.wait("document.querySelector('#outcome[data-result]')", "the outcome", seconds=30)
    return {"result": page.js("document.querySelector('#outcome').dataset.result"),
            "text": page.js("document.querySelector('#outcome').textContent"),
            "commit": page.js("(document.querySelector('#merge-commit') || {}).textContent || null")}


def rollback_before_newest(page):
    """History: "Roll back to before" on the newest event that moved main, then the confirmation's "Roll back"."""
    page.js("location.hash = '#/history'")
    button = "#history tbody button.rollback.from"
    page.wait(f"document.querySelector({json.dumps(button)})", "the history's rollback button")
    to = page.js(f"document.querySelector({json.dumps(button)}).dataset.to")
    page.click(button)
    page.wait("!document.querySelector('#rollback-confirm').hidden", "the rollback confirmation")
    seen = {"to": to, "expect": page.js("document.querySelector('#rollback-expect').value"),
            "request": page.js("document.querySelector('#rollback-confirm pre.request').textContent")}
    page.click("#rollback-go")
    page.wait("document.querySelector('#rollback-confirm .success, #rollback-confirm .error')", "the rollback's outcome", seconds=30)
    seen["text"] = page.js("document.querySelector('#rollback-confirm .outcome').textContent")
    if not page.js("!!document.querySelector('#rollback-confirm .success')"):
        raise Failure(f"the rollback failed on the page: {seen['text']}")
    return seen


def reap_orphans(seconds=5):
    """Kills and reaps what Chromium left behind: its helpers double-fork, and as this script is their
    subreaper (PR_SET_CHILD_SUBREAPER) they end up as its children instead of init's zombies."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            return
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if entry.isdigit() and int(fields[1]) == os.getpid() and fields[0] != "Z":
                    os.kill(int(entry), signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                continue
        time.sleep(0.05)


def run(arguments):
    ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: Chromium's helpers stay this script's to reap
    deadline = time.monotonic() + arguments.timeout
    profile = tempfile.mkdtemp(prefix="minic-chromium-")
    process, browser = None, None
    try:
        process, browser = start_chromium(profile, 30, arguments.pid_file)
        page = Page(WebSocket(open_page(browser, 10), 10), deadline)
        page.call("Runtime.enable")
        page.call("Page.enable")
        page.call("Log.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url=arguments.url)
        page.wait("document.readyState === 'complete' && !!document.querySelector('#token')", "the page to load")
        seen = set_token(page, arguments.token)
        try:
            if arguments.scenario in ("merge", "reject"):
                open_proposal(page, arguments.proposal, seen)
                if arguments.scenario == "merge":
                    if arguments.screenshot:
                        screenshot(page, arguments.screenshot)
                    seen["outcome"] = outcome(page, "#merge")
                else:
                    page.fill("#reject-reason", arguments.reason)
                    seen["outcome"] = outcome(page, "#reject")
                if seen["outcome"]["result"] != "ok":
                    raise Failure(f"{arguments.scenario} failed on the page: {seen['outcome']['text']}")
            elif arguments.scenario == "rollback":
                seen["rollback"] = rollback_before_newest(page)
            elif arguments.scenario == "task":
                page.js("location.hash = '#/tasks'")
                page.wait("document.querySelector('#task-form')", "the task form")
                page.js("document.querySelector('#task-type').value = 'explain'")
                page.fill("#task-prompt", arguments.prompt)
                page.js("document.querySelector('#task-form').requestSubmit()")
                page.wait("/^#\\/tasks\\/\\d+$/.test(location.hash)", "the task view")
                page.wait("document.querySelector('#answer') && document.querySelector('#answer').dataset.done", "the answer", seconds=60)
                seen["task"] = {"hash": page.js("location.hash"), "state": page.js("document.querySelector('#task-state').textContent"),
                                "answer": page.js("document.querySelector('#answer').textContent"),
                                "events": page.js("document.querySelector('#answer').dataset.events || ''").split()}
                if arguments.screenshot:
                    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
                    shot = page.call("Page.captureScreenshot", format="png")
                    with open(arguments.screenshot, "wb") as f:
                        f.write(base64.b64decode(shot["data"]))
            elif arguments.scenario == "look":  # a view's screenshot, to look at
                page.js(f"location.hash = {json.dumps(arguments.hash)}")
                page.wait("document.querySelector('#view section, #view .error')", "the view")
                time.sleep(0.3)
                shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
                with open(arguments.screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
            else:
                raise Failure(f"unknown scenario {arguments.scenario}")
        finally:
            seen["log"] = page.log
            print(json.dumps(seen))
    finally:
        if process and process.poll() is None:
            # Browser.close first lets Chromium reap its own helpers (a SIGKILL leaves them to init as zombies).
            try:
                browser_ws = WebSocket(browser, 5)
                browser_ws.send(json.dumps({"id": 1, "method": "Browser.close"}))
                process.wait(timeout=5)
            except Exception:
                pass
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        reap_orphans()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--proposal", default="")
    parser.add_argument("--reason", default="Not now")
    parser.add_argument("--prompt", default="Explain this.")
    parser.add_argument("--screenshot")
    parser.add_argument("--hash", default="#/proposals", help="the view of the look scenario")
    parser.add_argument("--pid-file")
    parser.add_argument("--timeout", type=float, default=90)
    arguments = parser.parse_args()
    try:
        run(arguments)
    except (Failure, OSError, socket.timeout) as error:
        print(f"cdp_page: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
