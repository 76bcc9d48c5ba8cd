#!/usr/bin/env python3
"""Writes Sources/MinicServer/Resources/openapi.json, the OpenAPI 3.1 document of `minic serve`.

The JSON file is the document minic serves and the tests check responses against; this script is how it is
edited (run it after a change: `python3 scripts/dev/openapi.py`). A test fails when the two disagree.
"""
import json, os, sys

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def nullable(t): return {"type": [t, "null"]}
S = {"type": "string"}
I = {"type": "integer"}
DT = {"type": "string", "format": "date-time"}
NDT = {"type": ["string", "null"], "format": "date-time"}
SHA = {"type": "string", "pattern": "^[0-9a-f]{40}$"}

def obj(props, required=None, extra=False):
    o = {"type": "object", "properties": props, "additionalProperties": extra}
    o["required"] = list(props) if required is None else required
    return o

def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
def ok(desc, schema, headers=None):
    r = {"description": desc, "content": {"application/json": {"schema": schema}}}
    if headers: r["headers"] = headers
    return r

E400 = {"$ref": "#/components/responses/BadInput"}
E401 = {"$ref": "#/components/responses/Unauthorized"}
E403 = {"$ref": "#/components/responses/Forbidden"}
E404 = {"$ref": "#/components/responses/NotFound"}
E409 = {"$ref": "#/components/responses/Refused"}
E413 = {"$ref": "#/components/responses/TooLarge"}
E415 = {"$ref": "#/components/responses/NotJSON"}
E429 = {"$ref": "#/components/responses/RateLimited"}
E500 = {"$ref": "#/components/responses/Internal"}
E503 = {"$ref": "#/components/responses/Unavailable"}
COMMON = {"401": E401, "429": E429, "500": E500, "503": E503}

def body(schema, required=True):
    return {"required": required, "content": {"application/json": {"schema": schema}}}

def op(opid, summary, responses, **kw):
    o = {"operationId": opid, "summary": summary, "responses": {**responses, **COMMON}}
    o.update(kw)
    return o

ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
PID = {"name": "id", "in": "path", "required": True, "schema": S, "description": "A proposal id, its number (3) or a unique prefix of it (0003-con)."}

schemas = {
    "Error": obj({"error": obj({"code": ref("ErrorCode"), "message": S})}),
    "ErrorCode": {"type": "string", "enum": ["bad_input", "unauthorized", "forbidden", "not_found", "refused", "payload_too_large",
        "unsupported_media_type", "rate_limited", "method_not_allowed", "bad_request", "unavailable", "internal"],
        "description": "bad_input 400, unauthorized 401, forbidden 403, not_found 404, method_not_allowed 405, refused 409 (a rule, a state or a moved head refused it), payload_too_large 413, unsupported_media_type 415, rate_limited 429, internal 500, unavailable 503 (the queue or the token file cannot be read now)."},
    "TaskState": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "dead", "cancelled"]},
    "Usage": obj({"input_tokens": I, "output_tokens": I, "cost_usd": {"type": ["number", "null"]}}, required=["input_tokens", "output_tokens"]),
    "Task": obj({
        "id": I, "type": S, "prompt": S, "files": {"type": "array", "items": S},
        "parameters": {"type": "object", "additionalProperties": S}, "priority": I, "run_at": DT, "state": ref("TaskState"),
        "attempts": I, "max_attempts": I, "lease_owner": nullable("string"), "lease_expires_at": NDT,
        "result": nullable("string"), "error": nullable("string"), "usage": {"oneOf": [ref("Usage"), {"type": "null"}]},
        "agent_commit": nullable("string"), "idempotency_key": nullable("string"), "created_at": DT, "updated_at": DT,
        "started_at": NDT, "finished_at": NDT,
        "options": {"oneOf": [ref("TaskOptions"), {"type": "null"}], "description": "What the task asked for; null when the stored options cannot be read (such a task is not run)."},
        "provider": nullable("string"), "model": nullable("string"),
        "checks": {"type": "array", "items": ref("CheckResult"), "description": "Every check run, every round."},
        "blocked": {"type": "boolean", "description": "The guardrails blocked the answer: kept to read, never run or applied."},
        "not_executed": nullable("string"),
        "rating": {"oneOf": [ref("Rating"), {"type": "null"}], "description": "A person's verdict on the answer (minic tasks rate); null until rated, and again once retried."}}),
    "Rating": obj({"verdict": {"type": "string", "enum": ["good", "bad"]}, "note": nullable("string"), "rated_at": DT}),
    "RatingRequest": obj({"verdict": {"type": "string", "enum": ["good", "bad"]},
        "note": {"type": "string", "maxLength": 2000, "description": "One line, no control characters; a secret in it is redacted."}}, required=["verdict"]),
    "TaskOptions": obj({
        "checks": {"type": "array", "items": S}, "model": nullable("string"), "fix_rounds": {"type": ["integer", "null"]},
        "allow_failing_checks": {"type": "boolean"}, "base": nullable("string")}),
    "CheckResult": obj({
        "command": S, "exit_status": {"type": ["integer", "null"]}, "limit": nullable("string"), "duration_ms": I, "stdout": S, "stderr": S,
        "passed": {"type": "boolean"}, "round": I}),
    "NewTask": {**obj({
        "type": {"type": "string", "description": "analyze, generate, explain, complete or self_update"},
        "prompt": S, "files": {"type": "array", "items": S, "description": "Paths on the server's disk (admin tokens only), inside security.allowed_roots."},
        "params": {"type": "object", "additionalProperties": S}, "priority": I,
        "run_at": {"oneOf": [S, {"type": "number"}], "description": "ISO-8601, Unix seconds, or +SECONDS"},
        "max_attempts": {"type": "integer", "minimum": 1},
        "idempotency_key": {"type": "string", "description": "As the Idempotency-Key header (give one or the other, or the same in both)."},
        "checks": {"type": "array", "items": S, "maxItems": 16, "description": "Commands run in the sandbox on the task's files plus what the answer writes (admin tokens only)."},
        "model": {"type": "string", "description": "The model to ask instead of llm.model."},
        "fix_rounds": {"type": "integer", "minimum": 0, "maximum": 5}, "allow_failing_checks": {"type": "boolean"}},
        required=["type"]), "description": "The fields of a `minic submit --from` line."},
    "TaskPage": obj({"tasks": {"type": "array", "items": ref("Task")}, "next_cursor": nullable("string")}),
    "Counts": obj({"protected": I, "auto": I, "review": I}),
    "PathClass": {"type": "string", "enum": ["protected", "auto", "review"]},
    "ChangedPath": obj({"path": S, "change": S, "class": ref("PathClass"), "old_path": S}, required=["path", "change", "class"]),
    "Violation": obj({"path": S, "reason": S}),
    "Proposal": obj({"id": S, "title": S, "status": {"type": "string", "enum": ["open", "merged", "rejected"]}, "author": S, "branch": S,
        "reference": S, "head": SHA, "created_at": DT, "age_seconds": I, "task_id": S, "counts": ref("Counts"),
        "rolled_back": {"type": "boolean", "description": "Merged, and a rollback has taken its merge out of main's first-parent history (status stays merged)."}},
        required=["id", "title", "status", "author", "branch", "reference", "head", "created_at", "age_seconds", "counts", "rolled_back"]),
    "ProposalList": obj({"proposals": {"type": "array", "items": ref("Proposal")}}),
    "ProposalDetail": None,  # below: Proposal's fields and the review's
    "NewProposal": obj({"title": S, "message": S, "patch": {"type": "string", "description": "A unified diff as git diff writes it."},
        "auto_merge": {"type": "boolean", "description": "Merge at once when every path is auto-approved and updates.auto_merge allows (default true)."}},
        required=["patch"]),
    "Hook": obj({"name": S, "status": I, "timed_out": {"type": "boolean"}, "output": S}),
    "Merge": obj({"id": S, "status": {"const": "merged"}, "commit": SHA, "previous_head": SHA, "backup": S, "rule": S, "approved_by": S,
        "already_merged": {"type": "boolean"}, "hooks": {"type": "array", "items": ref("Hook")},
        "eval_delta": {"type": ["string", "null"], "description": "The Eval-Delta trailer the merge recorded (delta [low, high]), when an eval note was current."}},
        required=["id", "status", "commit", "previous_head", "rule", "approved_by", "already_merged", "hooks"]),
    "ProposeResult": obj({"id": S, "branch": S, "head": SHA, "status": S, "paths": {"type": "array", "items": ref("ChangedPath")},
        "merge": ref("Merge"), "merge_error": S, "pushed": {"type": "boolean"}, "push_error": S},
        required=["id", "branch", "head", "status", "paths", "pushed"]),
    "MergeRequest": obj({"expect": {"type": "string", "pattern": "^[0-9a-fA-F]{12,40}$", "description": "The proposal head you reviewed."}}),
    "RejectRequest": obj({"reason": S}, required=[]),
    "RollbackRequest": obj({"to": {"type": "string", "description": "A commit, a short sha or a ref that was once the head."},
        "expect": {"type": "string", "pattern": "^[0-9a-fA-F]{12,40}$", "description": "The head you saw."}}),
    "UpdateEvent": obj({"kind": {"type": "string", "enum": ["merge", "auto-merge", "reject", "rollback", "pull"]}, "actor": S, "date": DT,
        "proposal_id": S, "rule": S, "from": S, "to": {"type": "string", "description": "The commit main moved to; for a reject, the rejected proposal's head."}, "backup": S, "worktree_backup": S, "reason": S, "journal_commit": S},
        required=["kind", "actor", "date"]),
    "History": obj({"events": {"type": "array", "items": ref("UpdateEvent")}, "head": {**SHA, "description": "Where main is now: what a rollback sends as expect."}}),
    "Rollback": obj({"from": SHA, "to": SHA, "backup": S, "worktree_backup": S, "unchanged": {"type": "boolean"},
        "hooks": {"type": "array", "items": ref("Hook")}}, required=["from", "to", "unchanged", "hooks"]),
    "Health": obj({"status": {"const": "ok"}}),
    "Readiness": obj({"status": {"type": "string", "enum": ["ok", "unavailable"]},
        "home": {"type": "string", "description": "ok, or why the home does not load (a config that does not parse, a main whose approvals do not verify)."}, "queue": S}),
}

N = {"type": ["number", "null"]}
schemas["EvalNote"] = obj({"version": I, "proposal": S, "proposal_head": SHA, "base": SHA, "tree": SHA, "provider": S, "model": S, "repeats": I,
    "cases": {"type": "array", "items": obj({"name": S, "base": N, "proposal": N, "delta": N, "skipped": {"type": "array", "items": S}},
        required=["name", "base", "proposal", "delta", "skipped"])},
    "overall": {"oneOf": [obj({"base": {"type": "number"}, "proposal": {"type": "number"}, "delta": {"type": "number"}, "low": {"type": "number"},
        "high": {"type": "number"}, "samples": I}, required=["base", "proposal", "delta", "low", "high", "samples"]), {"type": "null"}]},
    "input_tokens": I, "output_tokens": I, "cost_usd": N, "created_at": DT},
    required=["version", "proposal", "proposal_head", "base", "tree", "provider", "model", "repeats", "cases", "input_tokens", "output_tokens", "created_at"])
schemas["StoredEvalNote"] = obj({"note": ref("EvalNote"), "blob": SHA, "current": {"type": "boolean", "description": "Made against the current head and the tree a merge would record now."}},
    required=["note", "blob", "current"])
NPC = {"oneOf": [ref("PathClass"), {"type": "null"}]}
schemas["RulesReplay"] = obj({"kind": {"type": "string", "enum": ["proposal", "merge"]}, "id": nullable("string"),
    "status": {"type": ["string", "null"], "enum": ["open", "merged", "rejected", None]}, "commit": SHA, "rules_commit": nullable("string"),
    "rule": nullable("string"), "then": NPC, "now": NPC,
    "paths": {"type": "array", "items": obj({"path": S, "then": ref("PathClass"), "now": ref("PathClass")})},
    "more_paths": I, "error": nullable("string")})
schemas["RulesDryRun"] = {"oneOf": [
    obj({"revision": S, "rules_tree": SHA, "proposals": I, "merges": I, "changed": I, "not_compared": I,
        "entries": {"type": "array", "items": ref("RulesReplay"), "maxItems": 10}, "more": {"type": "integer", "description": "Replays left out (minic update rules dry-run --rev ID lists all)."}}),
    obj({"error": S, "details": {"type": "array", "items": S}})],
    "description": "The proposal's rules replayed over every proposal and merge (as minic update rules dry-run --rev ID, at most 10 entries and 5 paths each), or why they could not be (its rules do not load or fail their own test lines)."}
schemas["Approvals"] = obj({"required": {"type": ["integer", "null"], "minimum": 1, "description": "Distinct allowed signers that must approve the head (updates.approvals_required)."},
    "reason": {"type": ["string", "null"], "description": "The pattern or path class that asks the most, or updates.approvals_required."},
    "approvers": {"type": "array", "items": S, "description": "PRINCIPALS SHA256:FINGERPRINT of each key whose signed approval of the exact head verifies."},
    "error": {"type": ["string", "null"], "description": "Why they could not be counted (allowed_signers cannot be read); required and reason are then null."}})
schemas["ProposalDetail"] = obj({**schemas["Proposal"]["properties"],
    "base": nullable("string"), "paths": {"type": "array", "items": ref("ChangedPath")},
    "violations": {"type": "array", "items": ref("Violation")}, "commit_violations": {"type": "array", "items": ref("Violation")},
    "conflicts": {"type": "array", "items": S}, "message": S, "diff": S,
    "eval": {"oneOf": [ref("StoredEvalNote"), {"type": "null"}], "description": "The proposal's eval note (minic update eval), null when it has none."},
    "rules_dry_run": {"oneOf": [ref("RulesDryRun"), {"type": "null"}], "description": "Null when the proposal leaves the rules (protected.list, updates.auto_approve, updates.auto_approve_config) as they are."},
    "approvals": {"oneOf": [ref("Approvals"), {"type": "null"}], "description": "Null when the proposal is not open."}},
    required=schemas["Proposal"]["required"] + ["base", "paths", "violations", "commit_violations", "conflicts", "message", "diff", "eval", "rules_dry_run", "approvals"])

responses = {
    "BadInput": err("The request is malformed or names something that does not exist (`bad_input`)."),
    "Unauthorized": err("No valid bearer token (`unauthorized`)."),
    "Forbidden": err("The token's role does not allow this, or (without tokens) the request is not from this machine (`forbidden`)."),
    "NotFound": err("No such task or proposal, or not one this token may read (`not_found`)."),
    "Refused": err("A rule, the state of the task or proposal, a head that moved since `expect`, a signed home without a signing key for the server, or a main whose approvals do not verify (the one line naming the first bad commit) refused it (`refused`)."),
    "TooLarge": err("The body is larger than serve --max-body-kb (`payload_too_large`)."),
    "NotJSON": err("A body that is not declared JSON (`unsupported_media_type`)."),
    "RateLimited": {**err("Too many requests for this token (`rate_limited`)."), "headers": {"Retry-After": {"schema": I}}},
    "Internal": err("minic failed (`internal`); the server's log says more."),
    "Unavailable": err("The queue or the token file cannot be read now (`unavailable`)."),
}

task_ok = lambda d: ok(d, ref("Task"))
paths = {
    "/v1/tasks": {
        "post": op("submitTask", "Queue a task (submit)", {
            "201": ok("Queued.", ref("Task"), {"Location": {"schema": S}}),
            "200": ok("An earlier request with the same idempotency key queued this task.", ref("Task"), {"Idempotent-Replayed": {"schema": S}}),
            "400": E400, "403": E403, "409": E409, "413": E413, "415": E415},
            parameters=[{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 200}}],
            requestBody=body(ref("NewTask"))),
        "get": op("listTasks", "Tasks, newest first (submit tokens see their own)", {"200": ok("A page of tasks.", ref("TaskPage")), "400": E400},
            parameters=[
                {"name": "state", "in": "query", "required": False, "schema": ref("TaskState")},
                {"name": "type", "in": "query", "required": False, "schema": S},
                {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
                {"name": "cursor", "in": "query", "required": False, "schema": S, "description": "next_cursor of the page before."}]),
    },
    "/v1/tasks/{id}": {
        "parameters": [ID],
        "get": op("getTask", "One task", {"200": task_ok("The task."), "404": E404}),
        "delete": op("cancelTask", "Cancel a task that has not finished", {"200": task_ok("Cancelled."), "404": E404, "409": E409}),
    },
    "/v1/tasks/{id}/retry": {"parameters": [ID], "post": op("retryTask", "Queue a failed, dead or cancelled task again", {"200": task_ok("Queued again."), "404": E404, "409": E409})},
    "/v1/tasks/{id}/rating": {"parameters": [ID], "post": op("rateTask", "Record a verdict on a finished task's answer (its owner or a review token); rating again replaces it",
        {"200": task_ok("Rated."), "400": E400, "404": E404, "409": E409, "413": E413, "415": E415}, requestBody=body(ref("RatingRequest")))},
    "/v1/tasks/{id}/events": {"parameters": [ID], "get": op("taskEvents", "Server-Sent Events: state, text, done", {
        "200": {"description": "An event stream: `event: state|text|done`, `data:` one JSON object (a Task, or {\"text\": ...}: the answer line by line, redacted). At most 16 streams a token (429 past that).",
                "content": {"text/event-stream": {"schema": S}}}, "404": E404})},
    "/v1/proposals": {
        "get": op("listProposals", "Proposals (review)", {"200": ok("Proposals.", ref("ProposalList")), "400": E400, "403": E403},
            parameters=[{"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["open", "merged", "rejected", "all"], "default": "open"}}]),
        "post": op("propose", "Make a proposal from a patch (review)", {"201": ok("The proposal (and its auto-merge, if any).", ref("ProposeResult"), {"Location": {"schema": S}}),
            "400": E400, "403": E403, "409": E409, "413": E413, "415": E415}, requestBody=body(ref("NewProposal"))),
    },
    "/v1/proposals/{id}": {"parameters": [PID], "get": op("getProposal", "A proposal: metadata, path classes, verdict, diff, rules dry run, approvals (review); as minic update show --json",
        {"200": ok("The proposal.", ref("ProposalDetail")), "400": E400, "403": E403, "404": E404})},
    "/v1/proposals/{id}/merge": {"parameters": [PID], "post": op("mergeProposal", "Approve and merge the reviewed head (review)",
        {"200": ok("Merged.", ref("Merge")), "400": E400, "403": E403, "404": E404, "409": E409, "415": E415}, requestBody=body(ref("MergeRequest")))},
    "/v1/proposals/{id}/reject": {"parameters": [PID], "post": op("rejectProposal", "Reject a proposal (review)",
        {"200": ok("Rejected.", ref("UpdateEvent")), "400": E400, "403": E403, "404": E404, "409": E409, "415": E415}, requestBody=body(ref("RejectRequest"), required=False))},
    "/v1/history": {"get": op("history", "Merges, rejections and rollbacks, newest first (review)", {"200": ok("The journal.", ref("History")), "403": E403})},
    "/v1/rollback": {"post": op("rollback", "Reset the home to a commit that was the head (review)",
        {"200": ok("Rolled back.", ref("Rollback")), "400": E400, "403": E403, "409": E409, "415": E415}, requestBody=body(ref("RollbackRequest")))},
    "/healthz": {"get": {"operationId": "health", "summary": "The process answers", "security": [], "responses": {"200": ok("Up.", ref("Health"))}}},
    "/readyz": {"get": {"operationId": "ready", "summary": "The home loads and the queue answers", "security": [],
        "responses": {"200": ok("Ready.", ref("Readiness")), "503": ok("Not ready: what failed.", ref("Readiness"))}}},
    "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus text", "security": [],
        "responses": {"200": {"description": "Prometheus text format 0.0.4.", "content": {"text/plain": {"schema": S}}}}}},
    "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/": {"get": {"operationId": "page", "summary": "The review page", "security": [],
        "responses": {"200": {"description": "HTML.", "content": {"text/html": {"schema": S}}}}}},
}

doc = {
    "openapi": "3.1.0",
    "info": {"title": "minic", "version": "1", "description": "The HTTP API of `minic serve`: tasks, proposals, history and rollback of one agent home. "
        "Bearer tokens come from `minic token create`; roles: submit (create tasks, read its own), review (also read everything, propose, merge, reject, roll back), admin (also attach server files to tasks). "
        "Errors are {\"error\": {\"code\", \"message\"}} with the codes of ErrorCode."},
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "security": [{"bearer": []}],
    "paths": paths,
    "components": {"schemas": schemas, "responses": responses,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "minic_ and 43 base64url characters"}}},
}
out = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "MinicServer", "Resources", "openapi.json")
text = json.dumps(doc, indent=2, sort_keys=False) + "\n"
if "--check" in sys.argv:
    sys.exit(0 if open(out).read() == text else 1)
open(out, "w").write(text)
