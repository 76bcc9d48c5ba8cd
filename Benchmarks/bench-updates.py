#!/usr/bin/env python3
"""Benchmark of minic's update engine against the git CLI doing the same work.

Builds an agent home with 10,000 files and 2,000 commits (git fast-import), copies
it so that minic and git each work on an identical repository, and reports the
median wall time of each operation for both, and their ratio (minic / git):

  propose   minic update propose (work-tree change -> proposal branch, tree clean)
            vs git checkout -b + add + commit + checkout back
  merge     minic update merge --yes (checks, backup ref, --no-ff merge commit,
            work tree) vs git merge --no-ff; with the default hooks and without
  rollback  minic update rollback HEAD~100 --yes vs git reset --hard HEAD~100, and
            vs git status + git reset --hard (minic refuses uncommitted changes first)
  recovery  the next command (minic update history) after a merge of 500 changed
            files was SIGKILLed just after main moved (MINIC_TEST_PAUSE_AT=after-ref):
            work tree forced to head for those paths, proposal ref, journal entry,
            post-merge hook; vs the git equivalent on the same state: git reset --hard
            + git update-ref -d of the proposal branch
  list      minic update list with 200 open proposals vs git branch --list
  show      minic update show ID vs git show --stat (for reference)
  start-up  minic --version vs git --version
  floor     minic update history (opens the home, reads little) vs git log -1

Usage: Benchmarks/bench-updates.py [--minic PATH] [--runs N] [--keep]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FILES = 10_000
COMMITS = 2_000
PROPOSALS = 200

ENV = dict(os.environ)
ENV.update({
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "MINIC_USER": "Bench <bench@example.com>", "GIT_CONFIG_NOSYSTEM": "1",
})
ENV.pop("MINIC_HOME", None)
ENV.pop("MINIC_CONFIG", None)


def run(args, cwd=None, check=True, stdin=None):
    result = subprocess.run(args, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, input=stdin)
    if check and result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stderr.decode()}")
    return result.stdout.decode()


def timed(args, cwd=None):
    start = time.perf_counter()
    run(args, cwd=cwd)
    return time.perf_counter() - start


def data_path(index):
    """The path of data file `index`: 100 directories of 100 files."""
    return f"data/d{index // 100:02d}/f{index:05d}.txt"


def fast_import_stream(base_commit):
    """10,000 files in one commit, then 1,999 commits changing three files each."""
    out = []
    mark = 0
    out.append(f"reset refs/heads/main\nfrom {base_commit}\n")
    stamp = 1_700_000_000
    for number in range(COMMITS):
        lines = [f"commit refs/heads/main\ncommitter Bench <bench@example.com> {stamp + number} +0000\n"]
        message = f"history commit {number}\n"
        lines.append(f"data {len(message)}\n{message}")
        if number == 0:
            paths = [(data_path(i), f"file {i}\n") for i in range(FILES)]
        else:
            paths = [(data_path((number * 37 + k * 1000) % FILES), f"file changed in commit {number} part {k}\n") for k in range(3)]
        for path, content in paths:
            data = content.encode()
            lines.append(f"M 100644 inline {path}\ndata {len(data)}\n{content}")
        out.append("".join(lines))
        mark += 1
    return "\n".join(out).encode()


def build_home(minic, root):
    home = os.path.join(root, "home")
    run([minic, "init", home])
    base = run(["git", "rev-parse", "HEAD"], cwd=home).strip()
    started = time.perf_counter()
    run(["git", "fast-import", "--quiet", "--force"], cwd=home, stdin=fast_import_stream(base))
    run(["git", "reset", "-q", "--hard", "main"], cwd=home)
    files = int(run(["git", "ls-files"], cwd=home).count("\n"))
    commits = run(["git", "rev-list", "--count", "HEAD"], cwd=home).strip()
    print(f"built a home with {files} files and {commits} commits in {time.perf_counter() - started:.1f}s")
    return home


def stopped(pid):
    """Whether process `pid` has stopped itself (state T in /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def kill_after_ref(minic, home, proposal):
    """Runs minic update merge until just after main moved, and SIGKILLs it there."""
    env = dict(ENV, MINIC_TEST_PAUSE_AT="after-ref")
    process = subprocess.Popen([minic, "update", "merge", proposal, "--yes", "--home", home], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not stopped(process.pid):
        if process.poll() is not None or time.time() > deadline:
            sys.exit(f"merge of {proposal} never reached after-ref")
        time.sleep(0.005)
    process.kill()
    process.wait()


def median_ms(samples):
    return statistics.median(samples) * 1000


def report(rows):
    print()
    print(f"{'operation':<28}{'minic ms':>10}{'git ms':>10}{'ratio':>8}")
    for name, minic_ms, git_ms in rows:
        ratio = f"{minic_ms / git_ms:.2f}" if git_ms else "-"
        git_text = f"{git_ms:.1f}" if git_ms else "-"
        print(f"{name:<28}{minic_ms:>10.1f}{git_text:>10}{ratio:>8}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minic", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "minic"))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    minic = os.path.abspath(options.minic)
    if not os.access(minic, os.X_OK):
        sys.exit(f"no minic binary at {minic}: run `swift build -c release` first")
    root = tempfile.mkdtemp(prefix="minic-bench-")
    runs = options.runs
    try:
        home = build_home(minic, root)
        peer = os.path.join(root, "peer")
        shutil.copytree(home, peer, symlinks=True)
        rows = []

        # start-up
        version = [timed([minic, "--version"]) for _ in range(runs * 2)]
        git_version = [timed(["git", "--version"]) for _ in range(runs * 2)]
        rows.append(("start-up (--version)", median_ms(version), median_ms(git_version)))

        # propose: one changed file in the work tree -> a proposal branch, tree clean at head
        minic_times, git_times = [], []
        for i in range(runs):
            with open(os.path.join(home, data_path(i * 101 % FILES)), "a") as f:
                f.write("proposed change\n")
            minic_times.append(timed([minic, "update", "propose", "--title", f"bench {i}", "--home", home]))
            with open(os.path.join(peer, data_path(i * 101 % FILES)), "a") as f:
                f.write("proposed change\n")
            start = time.perf_counter()
            run(["git", "checkout", "-q", "-b", f"proposals/bench-{i}"], cwd=peer)
            run(["git", "add", "-A"], cwd=peer)
            run(["git", "commit", "-q", "-m", f"bench {i}"], cwd=peer)
            run(["git", "checkout", "-q", "main"], cwd=peer)
            git_times.append(time.perf_counter() - start)
        assert run(["git", "status", "--porcelain"], cwd=home) == "", "propose left the work tree dirty"
        rows.append(("propose", median_ms(minic_times), median_ms(git_times)))

        # merge the proposals just made (default hooks), then more without hooks
        ids = sorted(line.split("/", 2)[2] for line in run(["git", "for-each-ref", "--format=%(refname)", "refs/heads/proposals"], cwd=home).split())
        minic_times, git_times = [], []
        for i, proposal in enumerate(ids[:runs]):
            minic_times.append(timed([minic, "update", "merge", proposal, "--yes", "--home", home]))
            git_times.append(timed(["git", "merge", "-q", "--no-ff", "-m", f"merge {i}", f"proposals/bench-{i}"], cwd=peer))
        rows.append(("merge (default hooks)", median_ms(minic_times), median_ms(git_times)))
        hookless = os.path.join(root, "hookless")
        shutil.copytree(home, hookless, symlinks=True)
        run(["git", "rm", "-q", "hooks/pre-merge", "hooks/post-merge"], cwd=hookless)
        run(["git", "commit", "-q", "-m", "no hooks"], cwd=hookless)
        # The same shape as above: all proposals first, on one head, then merged in turn.
        proposals = []
        for i in range(runs):
            with open(os.path.join(hookless, data_path(i * 101 % FILES)), "a") as f:
                f.write("proposed change\n")
            proposals.append(run([minic, "update", "propose", "--title", f"nohook {i}", "--home", hookless]).strip())
        minic_times = [timed([minic, "update", "merge", proposal, "--yes", "--home", hookless]) for proposal in proposals]
        rows.append(("merge (no hooks)", median_ms(minic_times), median_ms(git_times)))

        # rollback 100 commits back (restored, untimed, between runs). minic refuses
        # uncommitted changes first, so the like-for-like peer adds `git status`.
        minic_times, git_times, checked_times = [], [], []
        for _ in range(runs):
            head = run(["git", "rev-parse", "HEAD"], cwd=home).strip()
            minic_times.append(timed([minic, "update", "rollback", "HEAD~100", "--yes", "--home", home]))
            run(["git", "reset", "-q", "--hard", head], cwd=home)
            git_times.append(timed(["git", "reset", "-q", "--hard", "HEAD~100"], cwd=peer))
            run(["git", "reset", "-q", "--hard", "ORIG_HEAD"], cwd=peer)
            start = time.perf_counter()
            run(["git", "status", "--porcelain"], cwd=peer)
            run(["git", "reset", "-q", "--hard", "HEAD~100"], cwd=peer)
            checked_times.append(time.perf_counter() - start)
            run(["git", "reset", "-q", "--hard", "ORIG_HEAD"], cwd=peer)
        rows.append(("rollback HEAD~100", median_ms(minic_times), median_ms(git_times)))
        rows.append(("  vs git status + reset", median_ms(minic_times), median_ms(checked_times)))

        # recovery: the next command after a merge killed right after main moved
        minic_times, git_times = [], []
        for i in range(runs):
            for repo in (home, peer):
                for k in range(500):
                    with open(os.path.join(repo, data_path((i * 500 + k) % FILES)), "a") as f:
                        f.write(f"recovery change {i}\n")
            proposal = run([minic, "update", "propose", "--title", f"recovery {i}", "--home", home]).strip()
            kill_after_ref(minic, home, proposal)
            start = time.perf_counter()
            finished = subprocess.run([minic, "update", "history", "--home", home], env=ENV, capture_output=True)
            minic_times.append(time.perf_counter() - start)
            assert finished.returncode == 0 and b"finished the merge of" in finished.stderr, finished.stderr
            assert run(["git", "status", "--porcelain"], cwd=home) == "", "recovery left the work tree dirty"
            # The peer in the same state: the merge commit on main, index and work tree still at the old head.
            run(["git", "checkout", "-q", "-b", f"proposals/recovery-{i}"], cwd=peer)
            run(["git", "commit", "-q", "-am", f"recovery {i}"], cwd=peer)
            run(["git", "checkout", "-q", "main"], cwd=peer)
            tree = run(["git", "rev-parse", f"proposals/recovery-{i}^{{tree}}"], cwd=peer).strip()
            merge = run(["git", "commit-tree", tree, "-p", "main", "-p", f"proposals/recovery-{i}", "-m", f"merge recovery {i}"], cwd=peer).strip()
            run(["git", "update-ref", "refs/heads/main", merge], cwd=peer)
            start = time.perf_counter()
            run(["git", "reset", "-q", "--hard"], cwd=peer)
            run(["git", "update-ref", "-d", f"refs/heads/proposals/recovery-{i}"], cwd=peer)
            git_times.append(time.perf_counter() - start)
        rows.append(("recovery after kill (500)", median_ms(minic_times), median_ms(git_times)))

        # 200 open proposals, made with plain git, each changing one file
        head = run(["git", "rev-parse", "HEAD"], cwd=home).strip()
        tree_of_head = run(["git", "rev-parse", "HEAD^{tree}"], cwd=home).strip()
        for repo in (home, peer):
            for ref in run(["git", "for-each-ref", "--format=%(refname)", "refs/heads/proposals"], cwd=repo).split():
                run(["git", "update-ref", "-d", ref], cwd=repo)
        commands = []
        for i in range(PROPOSALS):
            blob = run(["git", "hash-object", "-w", "--stdin"], cwd=home, stdin=f"open proposal {i}\n".encode()).strip()
            run(["git", "read-tree", tree_of_head], cwd=home)
            run(["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{data_path(i * 7 % FILES)}"], cwd=home)
            tree = run(["git", "write-tree"], cwd=home).strip()
            commit = run(["git", "commit-tree", tree, "-p", head, "-m", f"Open proposal {i}"], cwd=home).strip()
            commands.append(f"create refs/heads/proposals/{i + 1000:04d}-open-{i} {commit}\n")
        run(["git", "read-tree", tree_of_head], cwd=home)
        run(["git", "update-ref", "--stdin"], cwd=home, stdin="".join(commands).encode())
        run(["git", "fetch", "-q", home, "refs/heads/proposals/*:refs/heads/proposals/*"], cwd=peer)
        listing = run([minic, "update", "list", "--home", home])
        assert listing.count("\n") == PROPOSALS + 1, f"list shows {listing.count(chr(10)) - 1} proposals"
        minic_times = [timed([minic, "update", "list", "--home", home]) for _ in range(runs)]
        git_times = [timed(["git", "branch", "--list", "proposals/*"], cwd=peer) for _ in range(runs)]
        rows.append((f"list ({PROPOSALS} open)", median_ms(minic_times), median_ms(git_times)))
        minic_times = [timed([minic, "update", "show", "1000-open-0", "--home", home]) for _ in range(runs)]
        git_times = [timed(["git", "show", "--stat", "proposals/1000-open-0"], cwd=peer) for _ in range(runs)]
        rows.append(("show", median_ms(minic_times), median_ms(git_times)))
        # The floor of any command that opens the home: process start plus libgit2's init and open.
        minic_times = [timed([minic, "update", "history", "--home", home]) for _ in range(runs)]
        git_times = [timed(["git", "log", "-1", "--oneline", "refs/minic/journal"], cwd=home) for _ in range(runs)]
        rows.append(("floor: update history", median_ms(minic_times), median_ms(git_times)))

        report(rows)
        version, listing, showing, floor = rows[0][1], rows[-3][1], rows[-2][1], rows[-1][1]
        print()
        print(f"list / minic --version: {listing / version:.2f}   show / minic --version: {showing / version:.2f}   (target <= 1.5)")
        print(f"list / floor: {listing / floor:.2f}   show / floor: {showing / floor:.2f}   (floor = a command that opens the home: start-up + libgit2 init)")
        for repo in (home,):
            result = subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=repo, env=ENV, capture_output=True)
            print(f"git fsck --strict on the minic home after the run: {'clean' if result.returncode == 0 and not result.stderr.strip() else result.stderr.decode()}")
    finally:
        if options.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
