#!/usr/bin/env python3
"""Calls every endpoint of a running `minic serve` and checks each answer against the OpenAPI document it serves.

Usage: openapi_check.py BASE_URL ADMIN_TOKEN REVIEW_TOKEN SUBMIT_TOKEN PATCH_FILE

Every response is checked: its status is one the document lists for the operation, its content type is the
documented one, and a JSON body validates against the documented schema (JSON Schema 2020-12, with the document's
components). Every operation of the document must have been called at least once. Prints one line per call and
exits 1 on the first mismatch (naming it), 0 when all hold. Loopback only, every call bounded by a timeout.
"""
import json
import re
import sys
import urllib.error
import urllib.request

import jsonschema

BASE, ADMIN, REVIEW, SUBMIT, PATCH_FILE = sys.argv[1:6]
assert BASE.startswith("http://127.0.0.1:"), "loopback only"
DOC = None
CALLED = set()


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def validator_for(schema):
    """A validator for `schema` whose $refs resolve inside the document (jsonschema 4.10 to 4.2x)."""
    wrapped = dict(schema)
    try:
        import referencing
        import referencing.jsonschema
        resource = referencing.Resource.from_contents(DOC, default_specification=referencing.jsonschema.DRAFT202012)
        registry = referencing.Registry().with_resource("urn:minic-openapi", resource)
        wrapped = {"$ref": "urn:minic-openapi#" + "/x", **{}}
        return jsonschema.Draft202012Validator({"$ref": "urn:minic-openapi" + "#/__schema"}, registry=registry.with_resource(
            "urn:minic-openapi", referencing.Resource.from_contents({**DOC, "__schema": schema}, default_specification=referencing.jsonschema.DRAFT202012)))
    except ImportError:
        resolver = jsonschema.RefResolver(base_uri="", referrer=DOC)
        return jsonschema.Draft202012Validator(wrapped, resolver=resolver)


def operation(method, path):
    """The document's operation for a concrete path (templates like /v1/tasks/{id} match)."""
    for template, item in DOC["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path.split("?")[0]) and method.lower() in item:
            return template, item[method.lower()]
    fail(f"{method} {path}: no such operation in the document")


def resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        node = DOC
        for part in obj["$ref"].lstrip("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def call(method, path, token=None, body=None, headers=None, expect=None, raw=None, content_type="application/json"):
    url = BASE + path
    data = None
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = "Bearer " + token
    if raw is not None:
        data = raw
        if content_type:
            all_headers["Content-Type"] = content_type
    elif body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, got_headers, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, got_headers, payload = error.code, error.headers, error.read()
    template, op = operation(method, path)
    CALLED.add((method.lower(), template))
    responses = op["responses"]
    if str(status) not in responses:
        fail(f"{method} {path}: status {status} is not documented ({sorted(responses)}); body {payload[:300]!r}")
    documented = resolve(responses[str(status)])
    content = documented.get("content", {})
    got_type = (got_headers.get("Content-Type") or "").split(";")[0].strip()
    if content and got_type not in content:
        fail(f"{method} {path}: content type {got_type} is not documented ({sorted(content)})")
    parsed = None
    if got_type == "application/json":
        try:
            parsed = json.loads(payload)
        except ValueError:
            fail(f"{method} {path}: the body is not JSON: {payload[:200]!r}")
        errors = sorted(validator_for(content[got_type]["schema"]).iter_errors(parsed), key=lambda e: list(e.path))
        if errors:
            fail(f"{method} {path} ({status}): {errors[0].message} at {list(errors[0].path)}")
    if expect is not None and status != expect:
        fail(f"{method} {path}: expected {expect}, got {status}: {payload[:300]!r}")
    print(f"ok {method} {path} -> {status}")
    return status, got_headers, parsed if parsed is not None else payload


def main():
    global DOC
    with urllib.request.urlopen(BASE + "/openapi.json", timeout=10) as response:
        DOC = json.load(response)
    assert DOC["openapi"].startswith("3.1")
    call("GET", "/openapi.json", expect=200)
    call("GET", "/healthz", expect=200)
    call("GET", "/readyz", expect=200)
    call("GET", "/", expect=200)
    _, headers, text = call("GET", "/metrics", expect=200)
    if b"minic_tasks" not in text:
        fail("/metrics has no minic_tasks")

    # Tasks.
    call("POST", "/v1/tasks", body={"type": "explain", "prompt": "x"}, expect=401)
    call("POST", "/v1/tasks", token="minic_" + "A" * 43, body={"type": "explain", "prompt": "x"}, expect=401)
    _, _, task = call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "hello"}, headers={"Idempotency-Key": "k-1"}, expect=201)
    _, replay_headers, again = call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "hello"}, headers={"Idempotency-Key": "k-1"}, expect=200)
    if again["id"] != task["id"] or replay_headers.get("Idempotent-Replayed") != "true":
        fail("an idempotent replay did not return the first task")
    call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "other"}, headers={"Idempotency-Key": "k-1"}, expect=400)
    # Another token's same key is its own: a new task.
    _, _, theirs = call("POST", "/v1/tasks", token=REVIEW, body={"type": "explain", "prompt": "other"}, headers={"Idempotency-Key": "k-1"}, expect=201)
    call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "x", "colour": "red"}, expect=400)
    call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "x", "priority": 1.5}, expect=400)
    call("POST", "/v1/tasks", token=SUBMIT, raw=b'{"type": "explain", "type": "analyze"}', expect=400)
    call("POST", "/v1/tasks", token=SUBMIT, body={"type": "nonsense", "prompt": "x"}, expect=400)
    call("POST", "/v1/tasks", token=SUBMIT, raw=b'{"type": "explain"}', content_type="text/plain", expect=415)
    call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "x" * (2 << 20)}, expect=413)
    call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "x", "files": ["/etc/passwd"]}, expect=403)
    call("POST", "/v1/tasks", token=SUBMIT, body={"type": "self_update", "prompt": "improve yourself"}, expect=403)
    _, _, other = call("POST", "/v1/tasks", token=REVIEW, body={"type": "explain", "prompt": "review's"}, expect=201)
    call("GET", f"/v1/tasks/{task['id']}", token=SUBMIT, expect=200)
    call("GET", f"/v1/tasks/{other['id']}", token=SUBMIT, expect=404)
    call("GET", f"/v1/tasks/{other['id']}", token=REVIEW, expect=200)
    call("GET", "/v1/tasks/999999", token=REVIEW, expect=404)
    _, _, page = call("GET", "/v1/tasks?limit=50", token=SUBMIT, expect=200)
    if any(t["id"] == other["id"] for t in page["tasks"]) or not any(t["id"] == task["id"] for t in page["tasks"]):
        fail("a submit token's list must hold its own tasks only")
    _, _, page = call("GET", "/v1/tasks?limit=1", token=REVIEW, expect=200)
    if page["next_cursor"] is None:
        fail("a full page must give a cursor")
    _, _, second = call("GET", f"/v1/tasks?limit=1&cursor={page['next_cursor']}", token=REVIEW, expect=200)
    if second["tasks"] and second["tasks"][0]["id"] >= page["tasks"][0]["id"]:
        fail("the cursor must page to older tasks")
    call("GET", "/v1/tasks?state=bogus", token=REVIEW, expect=400)
    call("GET", "/v1/tasks?limit=0", token=REVIEW, expect=400)
    # Events of a task run by the server's own worker end with `done`.
    _, _, events = call("GET", f"/v1/tasks/{task['id']}/events", token=SUBMIT, expect=200)
    names = re.findall(rb"^event: (\w+)$", events, re.M)
    if not names or names[0] != b"state" or names[-1] != b"done":
        fail(f"events of task {task['id']}: {names}")
    for line in re.findall(rb"^data: (.*)$", events, re.M):
        json.loads(line)
    call("GET", f"/v1/tasks/{other['id']}/events", token=SUBMIT, expect=404)
    # A rating of a finished task, by its owner; a second one replaces it.
    _, _, rated = call("POST", f"/v1/tasks/{task['id']}/rating", token=SUBMIT, body={"verdict": "bad", "note": "wrong answer"}, expect=200)
    if rated["rating"] is None or rated["rating"]["verdict"] != "bad" or rated["rating"]["note"] != "wrong answer":
        fail(f"the rated task carries its rating: {rated['rating']}")
    _, _, rerated = call("POST", f"/v1/tasks/{task['id']}/rating", token=SUBMIT, body={"verdict": "good"}, expect=200)
    if rerated["rating"]["verdict"] != "good" or rerated["rating"]["note"] is not None:
        fail(f"rating again replaces the rating: {rerated['rating']}")
    call("POST", f"/v1/tasks/{task['id']}/rating", token=SUBMIT, body={"verdict": "meh"}, expect=400)
    call("POST", f"/v1/tasks/{task['id']}/rating", token=SUBMIT, body={"verdict": "good", "stars": 5}, expect=400)
    call("POST", f"/v1/tasks/{task['id']}/rating", token=SUBMIT, body={"verdict": "good", "note": "two\nlines"}, expect=400)
    call("POST", f"/v1/tasks/{other['id']}/rating", token=SUBMIT, body={"verdict": "good"}, expect=404)
    _, _, later = call("POST", "/v1/tasks", token=SUBMIT, body={"type": "explain", "prompt": "later", "run_at": "+3600"}, expect=201)
    call("DELETE", f"/v1/tasks/{later['id']}", token=SUBMIT, expect=200)
    call("DELETE", f"/v1/tasks/{later['id']}", token=SUBMIT, expect=409)
    _, _, retried = call("POST", f"/v1/tasks/{later['id']}/retry", token=SUBMIT, expect=200)
    if retried["state"] != "queued":
        fail("a retried task is queued")
    call("POST", f"/v1/tasks/{other['id']}/retry", token=SUBMIT, expect=404)
    call("POST", f"/v1/tasks/{later['id']}/rating", token=SUBMIT, body={"verdict": "good"}, expect=409)

    # Proposals.
    patch = open(PATCH_FILE).read()
    call("GET", "/v1/proposals", token=SUBMIT, expect=403)
    call("POST", "/v1/proposals", token=SUBMIT, body={"title": "t", "patch": patch}, expect=403)
    call("POST", "/v1/proposals", token=REVIEW, body={"title": "t"}, expect=400)
    call("POST", "/v1/proposals", token=REVIEW, body={"title": "t", "patch": "not a diff"}, expect=400)
    _, _, made = call("POST", "/v1/proposals", token=REVIEW, body={"title": "api change", "patch": patch, "auto_merge": False}, expect=201)
    _, _, listed = call("GET", "/v1/proposals", token=REVIEW, expect=200)
    if made["id"] not in [p["id"] for p in listed["proposals"]]:
        fail("a new proposal is listed as open")
    call("GET", "/v1/proposals?status=bogus", token=REVIEW, expect=400)
    call("GET", "/v1/proposals?status=all", token=REVIEW, expect=200)
    _, _, shown = call("GET", f"/v1/proposals/{made['id']}", token=REVIEW, expect=200)
    if not shown["diff"] or not shown["paths"]:
        fail("a proposal shows its diff and paths")
    call("GET", "/v1/proposals/no-such-proposal", token=REVIEW, expect=404)
    call("POST", "/v1/proposals/no-such-proposal/merge", token=REVIEW, body={"expect": "0" * 40}, expect=404)
    call("POST", f"/v1/proposals/{made['id']}/merge", token=REVIEW, body={}, expect=400)
    call("POST", f"/v1/proposals/{made['id']}/merge", token=REVIEW, body={"expect": "0" * 40}, expect=409)
    call("POST", f"/v1/proposals/{made['id']}/merge", token=SUBMIT, body={"expect": made["head"]}, expect=403)
    _, _, merged = call("POST", f"/v1/proposals/{made['id']}/merge", token=REVIEW, body={"expect": made["head"]}, expect=200)
    if "Ann" not in merged["approved_by"]:
        fail(f"Approved-by names the token's person: {merged['approved_by']}")
    _, _, history = call("GET", "/v1/history", token=REVIEW, expect=200)
    if history["head"] != merged["commit"]:
        fail(f"the history's head is main's: {history['head']} vs {merged['commit']}")
    call("GET", "/v1/history", token=SUBMIT, expect=403)
    head = merged["commit"]
    call("POST", "/v1/rollback", token=REVIEW, body={"to": merged["previous_head"], "expect": "0" * 40}, expect=409)
    call("POST", "/v1/rollback", token=REVIEW, body={"to": merged["previous_head"]}, expect=400)
    _, _, rolled = call("POST", "/v1/rollback", token=REVIEW, body={"to": merged["previous_head"], "expect": head}, expect=200)
    if rolled["to"] != merged["previous_head"]:
        fail("the rollback went elsewhere")
    _, _, made2 = call("POST", "/v1/proposals", token=REVIEW, body={"title": "second", "patch": patch, "auto_merge": False}, expect=201)
    call("POST", f"/v1/proposals/{made2['id']}/reject", token=REVIEW, body={"reason": "not now"}, expect=200)
    call("POST", f"/v1/proposals/{made2['id']}/reject", token=REVIEW, body={"reason": "again"}, expect=409)
    call("POST", f"/v1/proposals/{made2['id']}/reject", token=REVIEW, body={"why": "x"}, expect=400)

    missing = [f"{m.upper()} {p}" for p, item in DOC["paths"].items() for m in item if m in ("get", "post", "delete", "put", "patch")
               if (m, p) not in CALLED]
    if missing:
        fail("operations never called: " + ", ".join(missing))
    print(f"all {len(CALLED)} operations answered as documented")


main()
