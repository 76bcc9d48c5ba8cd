#!/usr/bin/env python3
"""Benchmark of minic's verification of signed approvals against git's own.

Builds a signed home (`minic init --signing-key`, an ed25519 key from ssh-keygen)
with 2,000 signed merges on main written directly (each merge: main's previous
commit and a proposal commit, `Rule: review`, signed by the admin key in git's
SSH signature format, SSHSIG, made here with the `cryptography` package), checks
that minic and git both call every commit good, then reports medians:

  full         minic update verify --json (every commit, no cache): its own
               elapsed_ms and the wall time, vs git log --first-parent
               --show-signature (ssh-keygen twice per commit) and, per commit,
               git verify-commit of one commit
  incremental  minic update verify --incremental --json with one new signed merge
               since the cached head, and with the head unchanged (target: < 2 ms); then
               with one new merge signed by a key with role review (added by
               `minic update signers add`), whose `update merge` checks verification
               replays (the rules and config in force before it)
  floor        minic validate (opens the home, verifies from the cache, loads the
               config and templates) vs minic update history (opens the home,
               verifies nothing) vs minic --version

Usage: Benchmarks/bench-verify.py [--minic PATH] [--runs N] [--git-runs N] [--merges N] [--keep]
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

try:
    from cryptography.hazmat.primitives import serialization
except ImportError:
    sys.exit("bench-verify.py needs the cryptography package: pip install cryptography")

MERGES = 2_000
TARGET_MS = 2.0
IDENTITY = "Bench <bench@example.com>"

ENV = dict(os.environ)
ENV.update({
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "MINIC_USER": IDENTITY, "GIT_CONFIG_NOSYSTEM": "1",
})
for name in ("MINIC_HOME", "MINIC_CONFIG", "MINIC_SIGNING_KEY", "MINIC_TRACE"):
    ENV.pop(name, None)


def run(args, cwd=None, check=True, stdin=None):
    result = subprocess.run(args, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, input=stdin)
    if check and result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stderr.decode()}")
    return result.stdout.decode()


def timed(args, cwd=None):
    start = time.perf_counter()
    output = run(args, cwd=cwd)
    return time.perf_counter() - start, output


def ssh_string(data):
    """The SSH wire encoding of a string (RFC 4251): uint32 length, then the bytes."""
    if isinstance(data, str):
        data = data.encode()
    return struct.pack(">I", len(data)) + data


class SSHSigner:
    """Signs as `ssh-keygen -Y sign -n git` does with an ed25519 key (OpenSSH PROTOCOL.sshsig)."""

    def __init__(self, key_path):
        with open(key_path, "rb") as f:
            self.key = serialization.load_ssh_private_key(f.read(), password=None)
        line = self.key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        self.public_blob = base64.b64decode(line.split()[1])

    def armored(self, message, namespace="git"):
        digest = hashlib.sha512(message).digest()
        signed = b"SSHSIG" + ssh_string(namespace) + ssh_string(b"") + ssh_string("sha512") + ssh_string(digest)
        signature = ssh_string("ssh-ed25519") + ssh_string(self.key.sign(signed))
        blob = (b"SSHSIG" + struct.pack(">I", 1) + ssh_string(self.public_blob) + ssh_string(namespace) + ssh_string(b"")
                + ssh_string("sha512") + ssh_string(signature))
        text = base64.b64encode(blob).decode()
        lines = [text[i:i + 70] for i in range(0, len(text), 70)]  # ssh-keygen's wrapping
        return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"


class History:
    """Writes signed merges on main as loose objects: each proposal changes `bench/counter.txt`."""

    def __init__(self, home, signer):
        self.home = home
        self.signer = signer
        self.objects = os.path.join(home, ".git", "objects")
        self.count = 0
        self.follow()

    def follow(self):
        """Builds on main's head as it is now (after a commit made elsewhere, such as `minic update signers add`)."""
        self.head = run(["git", "rev-parse", "HEAD"], cwd=self.home).strip()
        self.stamp = max(getattr(self, "stamp", 0), int(run(["git", "log", "-1", "--format=%ct"], cwd=self.home)))
        raw = subprocess.run(["git", "cat-file", "tree", "HEAD^{tree}"], cwd=self.home, env=ENV, capture_output=True, check=True).stdout
        self.entries = {}
        while raw:
            header, _, raw = raw.partition(b"\0")
            mode, name = header.split(b" ", 1)
            self.entries[name] = (mode, raw[:20])
            raw = raw[20:]
        self.entries.pop(b"bench", None)  # each merge writes its own

    def write(self, kind, content):
        """Writes one object (if new) and returns its id."""
        data = f"{kind} {len(content)}\0".encode() + content
        oid = hashlib.sha1(data).hexdigest()
        directory = os.path.join(self.objects, oid[:2])
        path = os.path.join(directory, oid[2:])
        if not os.path.exists(path):
            os.makedirs(directory, exist_ok=True)
            temporary = path + ".tmp"
            with open(temporary, "wb") as f:
                f.write(zlib.compress(data, 1))
            os.rename(temporary, path)
        return oid

    @staticmethod
    def tree(entries):
        # git's order: a directory sorts as if its name ended in "/".
        def key(item):
            name, (mode, _) = item
            return name + b"/" if mode == b"40000" else name
        return b"".join(mode + b" " + name + b"\0" + oid for name, (mode, oid) in sorted(entries.items(), key=key))

    def commit_text(self, tree, parents, stamp, message):
        lines = [f"tree {tree}"] + [f"parent {p}" for p in parents]
        lines += [f"author {IDENTITY} {stamp} +0000", f"committer {IDENTITY} {stamp} +0000"]
        return "\n".join(lines) + "\n\n" + message

    def add_merge(self, signer=None):
        """One proposal commit on main's head and its merge, signed by the admin key (or `signer`); main moves to it."""
        number = self.count
        self.count += 1
        stamp = self.stamp + 60 * self.count
        blob = self.write("blob", f"merge {number}\n".encode())
        bench = self.write("tree", self.tree({b"counter.txt": (b"100644", bytes.fromhex(blob))}))
        entries = dict(self.entries)
        entries[b"bench"] = (b"40000", bytes.fromhex(bench))
        tree = self.write("tree", self.tree(entries))
        proposal_id = f"{number + 1:04d}-bench-{number}"
        proposal = self.write("commit", self.commit_text(tree, [self.head], stamp, f"Bench change {number}\n").encode())
        message = (f"Merge proposal {proposal_id}: Bench change {number}\n\n"
                   f"Proposal-Id: {proposal_id}\nApproved-by: {IDENTITY}\nRule: review\n")
        payload = self.commit_text(tree, [self.head, proposal], stamp, message)
        signature = (signer or self.signer).armored(payload.encode())
        headers, _, body = payload.partition("\n\n")
        # git's gpgsig header: the signature's lines, each after the first indented by one space.
        signed = headers + "\ngpgsig " + signature.rstrip("\n").replace("\n", "\n ") + "\n\n" + body
        merge = self.write("commit", signed.encode())
        run(["git", "update-ref", "refs/heads/main", merge, self.head], cwd=self.home)
        self.head = merge
        return merge


def build_home(minic, root):
    key = os.path.join(root, "admin")
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench", "-f", key])
    home = os.path.join(root, "home")
    run([minic, "init", home, "--signing-key", key])
    history = History(home, SSHSigner(key))
    started = time.perf_counter()
    for _ in range(MERGES):
        history.add_merge()
    run(["git", "reset", "-q", "--hard", "main"], cwd=home)
    run(["git", "repack", "-a", "-d", "-q"], cwd=home)  # as a home that git gc has run in
    commits = run(["git", "rev-list", "--first-parent", "--count", "HEAD"], cwd=home).strip()
    print(f"built a signed home with {MERGES} signed merges ({commits} commits on main's first-parent history) in {time.perf_counter() - started:.1f}s")
    return home, history


def verify_json(minic, home, incremental=False):
    args = [minic, "update", "verify", "--json", "--home", home] + (["--incremental"] if incremental else [])
    seconds, output = timed(args)
    return seconds, json.loads(output)


def git_log_signatures(home, count):
    allowed = os.path.join(home, "allowed_signers")
    args = ["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "--first-parent", "--show-signature", "-n", str(count)]
    seconds, output = timed(args, cwd=home)
    return seconds, output.count('Good "git" signature for bench@example.com')


def check_all_good(minic, home):
    """minic and git agree that every commit of main is good before anything is timed."""
    _, report = verify_json(minic, home)
    total = MERGES + 1
    statuses = [verdict["status"] for verdict in report["commits"]]
    if report["state"] != "signed" or len(statuses) != total or any(status != "good" for status in statuses):
        sys.exit(f"minic update verify: state {report['state']}, {statuses.count('good')} of {len(statuses)} good, expected {total}: {report.get('first_bad') or report.get('problem')}")
    _, good = git_log_signatures(home, total)
    if good != total:
        sys.exit(f"git log --show-signature: {good} good signatures of {total}")
    for rev in ("HEAD", f"HEAD~{MERGES // 2}", f"HEAD~{MERGES - 1}"):
        result = subprocess.run(["git", "verify-commit", rev], cwd=home, env=ENV, capture_output=True)
        if result.returncode != 0 or b"Good" not in result.stderr:
            sys.exit(f"git verify-commit {rev}: {result.stderr.decode()}")
    print(f"checked: minic update verify calls all {total} commits good, so does git log --show-signature; git verify-commit HEAD, HEAD~{MERGES // 2}, HEAD~{MERGES - 1}: Good")


def median_ms(samples):
    return statistics.median(samples) * 1000


def report(rows):
    print()
    print(f"{'measurement':<46}{'minic ms':>10}{'git ms':>10}{'ratio':>8}")
    for name, minic_ms, git_ms in rows:
        ratio = f"{minic_ms / git_ms:.3f}" if git_ms else "-"
        git_text = f"{git_ms:.2f}" if git_ms else "-"
        print(f"{name:<46}{minic_ms:>10.2f}{git_text:>10}{ratio:>8}")


def main():
    global MERGES
    parser = argparse.ArgumentParser()
    parser.add_argument("--minic", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "minic"))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--git-runs", type=int, default=3, help="runs of git log --show-signature (about 20 s each)")
    parser.add_argument("--merges", type=int, default=MERGES)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    MERGES = options.merges
    minic = os.path.abspath(options.minic)
    if not os.access(minic, os.X_OK):
        sys.exit(f"no minic binary at {minic}: run `swift build -c release` first")
    root = tempfile.mkdtemp(prefix="minic-bench-verify-")
    runs = options.runs
    total = MERGES + 1
    try:
        home, history = build_home(minic, root)
        check_all_good(minic, home)
        rows = []

        # full: every commit, no cache
        walls, elapsed = [], []
        for _ in range(runs):
            seconds, result = verify_json(minic, home)
            assert len(result["commits"]) == total and not result["cached"], result["state"]
            walls.append(seconds)
            elapsed.append(result["elapsed_ms"] / 1000)
        git_walls = []
        for _ in range(options.git_runs):
            seconds, good = git_log_signatures(home, total)
            assert good == total, good
            git_walls.append(seconds)
        rows.append((f"full: verify, {total} commits (elapsed_ms)", median_ms(elapsed), median_ms(git_walls)))
        rows.append((f"full: verify, {total} commits (wall)", median_ms(walls), median_ms(git_walls)))
        one = [timed(["git", "verify-commit", "HEAD"], cwd=home)[0] for _ in range(runs)]
        rows.append(("per commit: elapsed_ms / commits", median_ms(elapsed) / total, median_ms(git_walls) / total))
        rows.append(("  vs git verify-commit HEAD", median_ms(elapsed) / total, median_ms(one)))

        # incremental: one new signed merge since the cached head, then the head unchanged
        verify_json(minic, home)  # the cache at the head
        new_walls, new_elapsed = [], []
        for _ in range(runs):
            history.add_merge()
            seconds, result = verify_json(minic, home, incremental=True)
            assert result["state"] == "signed" and not result["cached"] and len(result["commits"]) == 1, result
            assert result["commits"][0]["status"] == "good", result["commits"][0]
            new_walls.append(seconds)
            new_elapsed.append(result["elapsed_ms"] / 1000)
        run(["git", "reset", "-q", "--hard", "main"], cwd=home)
        same_walls, same_elapsed = [], []
        for _ in range(runs):
            seconds, result = verify_json(minic, home, incremental=True)
            assert result["state"] == "signed" and result["cached"], result
            same_walls.append(seconds)
            same_elapsed.append(result["elapsed_ms"] / 1000)
        rows.append(("incremental: 1 new merge (elapsed_ms)", median_ms(new_elapsed), median_ms(one)))
        rows.append(("incremental: 1 new merge (wall)", median_ms(new_walls), median_ms(one)))
        rows.append(("incremental: head unchanged (elapsed_ms)", median_ms(same_elapsed), None))
        rows.append(("incremental: head unchanged (wall)", median_ms(same_walls), None))

        # incremental, a merge signed by a review key: verification replays update merge's checks on it
        reviewer = os.path.join(root, "reviewer")
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "reviewer", "-f", reviewer])
        run([minic, "update", "signers", "add", "reviewer@example.com", reviewer + ".pub", "--role", "review", "--home", home])
        history.follow()
        review_signer = SSHSigner(reviewer)
        verify_json(minic, home, incremental=True)
        review_elapsed = []
        for _ in range(runs):
            history.add_merge(review_signer)
            _, result = verify_json(minic, home, incremental=True)
            assert result["state"] == "signed" and len(result["commits"]) == 1, result
            assert result["commits"][0]["status"] == "good" and result["commits"][0]["role"] == "review", result["commits"][0]
            review_elapsed.append(result["elapsed_ms"] / 1000)
        run(["git", "reset", "-q", "--hard", "main"], cwd=home)
        rows.append(("incremental: 1 merge by a review key (elapsed)", median_ms(review_elapsed), median_ms(one)))

        # floor: a loading command with the cache, against one that verifies nothing and --version
        version = [timed([minic, "--version"])[0] for _ in range(runs * 2)]
        history_walls = [timed([minic, "update", "history", "--home", home])[0] for _ in range(runs)]
        validate = [timed([minic, "validate", "--home", home])[0] for _ in range(runs)]
        git_version = [timed(["git", "--version"])[0] for _ in range(runs * 2)]
        rows.append(("floor: minic --version", median_ms(version), median_ms(git_version)))
        rows.append(("floor: update history (no verification)", median_ms(history_walls), None))
        rows.append(("floor: validate (verifies from the cache)", median_ms(validate), None))

        report(rows)
        print()
        full, per_git = median_ms(elapsed), median_ms(git_walls)
        print(f"full verification: minic {full / total * 1000:.1f} us per commit in process, git log --show-signature "
              f"{per_git / total:.2f} ms per commit: git takes {per_git / full:.0f}x as long; git verify-commit of one commit "
              f"{median_ms(one):.2f} ms")
        print(f"validate / minic --version: {median_ms(validate) / median_ms(version):.2f}   "
              f"validate - update history: {median_ms(validate) - median_ms(history_walls):.2f} ms (loading the config and templates, and the cache check)")
        incremental = median_ms(new_elapsed)
        print(f"target (incremental < {TARGET_MS:g} ms): {'met' if incremental < TARGET_MS else 'not met'} "
              f"({incremental:.3f} ms with one new merge, {median_ms(same_elapsed):.3f} ms with the head unchanged; "
              f"{median_ms(review_elapsed):.3f} ms for a merge by a review key, update merge's checks replayed)")
        result = subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=home, env=ENV, capture_output=True)
        print(f"git fsck --strict on the signed home after the run: {'clean' if result.returncode == 0 and not result.stderr.strip() else result.stderr.decode()}")
    finally:
        if options.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
