// Part of PythonAnalyzer's Python helper (see PythonAnalyzer+Helper.swift).

extension PythonAnalyzer {
    /// Rules on folded values: removals of system and home paths, dangerous functions used as values, functions reached by a name given as text,
    /// and code runners (exec, timeit, cProfile, pdb, code, runpy) whose literal code is analysed in its turn.
    static let helperEffects = #"""
        # Effects judged on folded values: removals of system paths, dangerous functions used as values, functions
        # reached by name, and code runners.

        # File removals: the function and its argument holding the path.
        REMOVALS = {"shutil.rmtree": "rm -rf", "os.remove": "rm -f", "os.unlink": "rm -f", "os.rmdir": "rmdir", "os.removedirs": "rmdir",
                    "shutil.move": "mv", "os.rename": "mv", "os.truncate": "truncate"}
        # The same through a path object (str has none of these methods).
        PATH_METHODS = {"unlink": "rm -f", "rmdir": "rmdir", "write_text": "overwrite", "write_bytes": "overwrite", "rename": "mv"}
        # Writes, copies over, links over, mode and owner changes: the function and the position of the path it changes.
        WRITES = {"shutil.copy": 1, "shutil.copyfile": 1, "shutil.copy2": 1, "shutil.copytree": 1, "os.replace": 1, "os.symlink": 1, "os.link": 1,
                  "os.chmod": 0, "os.lchmod": 0, "os.chown": 0, "os.lchown": 0, "os.mknod": 0, "open": 0, "io.open": 0, "os.open": 0,
                  "codecs.open": 0}
        # open()'s mode letters and os.open()'s flags that write.
        WRITE_MODES = ("w", "a", "x", "+")
        WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_APPEND", "O_TRUNC", "O_CREAT")
        # Where a removal or an overwrite is destructive: the paths themselves and everything under them.
        SYSTEM_ROOTS = ("/etc", "/usr", "/bin", "/sbin", "/boot", "/lib", "/lib32", "/lib64", "/opt", "/root", "/srv", "/sys", "/proc", "/dev", "/var",
                        "/home", "~/.ssh", "~/.gnupg", "~/.aws", "~/.config", "~/.bashrc", "~/.profile", "~/.zshrc", "~/.bash_profile", "~/.local")
        SYSTEM_EXACT = {"/", "~", "/*", "~/*", ".", "..", "/home/*"}
        SAFE_ROOTS = ("/tmp/", "/var/tmp/", "/dev/shm/", "/dev/null")
        SYSTEM_PREFIXES = tuple(r + "/" for r in SYSTEM_ROOTS)
        # Functions whose use as a value (passed, stored, returned) hides a call: the worst ones and the rest.
        VALUE_HIGH = SHELL_CALLS | SPAWN | {"eval", "exec", "os.system", "execfile"}
        VALUE_MEDIUM = SUBPROCESS | {"compile", "__import__", "importlib.import_module", "runpy.run_path", "runpy.run_module", "ctypes.CDLL"}
        # Last parts of those names: an attribute or a name with one of them is looked at (a set lookup per node).
        VALUE_LAST = {n.rsplit(".", 1)[-1] for n in VALUE_HIGH | VALUE_MEDIUM} | {"system", "popen"}
        # Code runners: the function and the position of its code argument; a literal one is analysed as Python in its turn.
        CODE_RUNNERS = {"exec": 0, "eval": 0, "timeit.timeit": 0, "timeit.repeat": 0, "timeit.Timer": 0, "cProfile.run": 0, "cProfile.runctx": 0,
                        "profile.run": 0, "profile.runctx": 0, "pdb.run": 0, "pdb.runeval": 0, "bdb.Bdb.run": 0, "code.InteractiveInterpreter.runsource": 0,
                        "code.InteractiveInterpreter.runcode": 0, "code.InteractiveConsole.push": 0, "code.InteractiveConsole.runsource": 0,
                        "code.compile_command": 0, "runpy.run_path": None, "runpy.run_module": None, "code.interact": None, "breakpoint": None,
                        "pdb.set_trace": None, "execfile": None, "code.InteractiveConsole.interact": None, "cProfile.Profile.run": 0,
                        "cProfile.Profile.runctx": 0, "profile.Profile.run": 0, "profile.Profile.runctx": 0, "pdb.Pdb.run": 0, "pdb.Pdb.runeval": 0,
                        "bdb.Bdb.run": 0, "bdb.Bdb.runeval": 0}
        # Keywords naming a runner's code.
        CODE_KEYWORDS = ("stmt", "setup", "source", "cmd", "statement", "expression", "object")
        NESTED_DEPTH = 3
        # Functions that reach another function by a name given as text.
        BY_NAME = {"operator.methodcaller", "operator.attrgetter", "pkgutil.resolve_name"}


        class Effects:
            """Rules built on folding; mixed into Analysis."""

            def removal(self, node, name, args):
                """shutil.rmtree, os.remove, Path(...).unlink() and the like on a system or home path: high; on a path whose known
                start is one and whose rest is computed: medium. Other paths (build_dir, tmpdir, a computed path) are ordinary."""
                if name in REMOVALS:
                    operation = REMOVALS[name]
                    target = args[0] if args else keyword(node, "path")
                else:
                    operation = PATH_METHODS[node.func.attr]
                    target = node.func.value
                if target is None:
                    return
                worst = self.worst_path(target)
                if worst is not None:
                    level, path = worst
                    what = (name or "Path." + node.func.attr) + " (" + operation + ") on " + path.replace(UNKNOWN, "...")
                    self.add(node, "py-destructive-path", level, what +
                             (": a system or home path" if level == "high" else ": under a system or home directory, the rest computed"))

            def worst_path(self, target):
                """The most dangerous value `target` may take as a path, with its level (see path_danger), or None."""
                worst = None
                for candidate in self.fold(target):
                    level = path_danger(candidate) if type(candidate) is str else None
                    if level == "high" or (level and worst is None):
                        worst = (level, candidate)
                return worst

            def write(self, node, name, args):
                """open(..., "w"), os.open(..., O_WRONLY), shutil.copy(src, dst), os.symlink(src, dst), os.chmod and the like
                on a system or home path (/etc/passwd, /dev/sda, ~/.ssh/authorized_keys, /bin/sh): high, as the shell's
                writes there are; on one whose known start is a system directory and whose rest is computed: medium."""
                position = WRITES[name]
                target = args[position] if len(args) > position else keyword(node, "dst" if position else "file") or keyword(node, "path")
                if target is None:
                    return
                if name in ("open", "io.open", "codecs.open"):
                    mode = args[1] if len(args) > 1 else keyword(node, "mode")
                    if mode is None or not any(type(m) is str and any(letter in m for letter in WRITE_MODES) for m in self.fold(mode)):
                        return
                elif name == "os.open":
                    flags = args[1] if len(args) > 1 else keyword(node, "flags")
                    if flags is None or not any(flag in ast.dump(flags) for flag in WRITE_FLAGS):
                        return
                worst = self.worst_path(target)
                if worst is not None:
                    level, path = worst
                    self.add(node, "py-destructive-path", level, name + " writes to " + path.replace(UNKNOWN, "...") +
                             (": a system or home path" if level == "high" else ": under a system or home directory, the rest computed"))

            def shell_c(self, argv):
                """"high" when an argv runs a shell with -c and a command only known at run time (shell injection), "medium"
                when it runs an interpreter (python, perl, ...) so (code chosen at run time, like exec); None otherwise."""
                if argv is None:
                    return None
                for candidate in self.fold(argv):
                    if type(candidate) is list and candidate and type(candidate[0]) is str:
                        program = candidate[0].rsplit("/", 1)[-1]
                        if program in SHELL_NAMES or program.startswith(INTERPRETERS):
                            for position, word in enumerate(candidate[1:-1], 1):
                                if type(word) is str and word.startswith("-") and not word.startswith("--") and "c" in word and \
                                        (candidate[position + 1] is None or UNKNOWN in candidate[position + 1]):
                                    return "high" if program in SHELL_NAMES else "medium"
                return None

            def interpreter_code(self, node, argv):
                """python -c CODE in a known argv (also sys.executable -c CODE): CODE is analysed as Python in its turn."""
                for candidate in self.fold(argv):
                    if type(candidate) is list and len(candidate) > 2 and type(candidate[0]) is str and \
                            candidate[0].rsplit("/", 1)[-1].startswith(("python", "pypy")):
                        for position, word in enumerate(candidate[1:-1], 1):
                            if type(word) is str and word.startswith("-") and not word.startswith("--") and word.endswith("c"):
                                code = candidate[position + 1]
                                if type(code) is str and UNKNOWN not in code:
                                    self.nested(node, "python -c", code)
                                break

            def value_reference(self, node, name):
                """A dangerous function used as a value (passed, stored, returned, wrapped): whoever gets it can call it."""
                if name in VALUE_HIGH or name.startswith("ctypes.CDLL().") and name.rsplit(".", 1)[-1] in NATIVE_EXEC:
                    self.add(node, "py-dangerous-reference", "high", name + " used as a value: it is called where the rules cannot see")
                elif name == "subprocess.Popen":
                    # Mostly a type (annotations, isinstance, a base class): noted, not asked about.
                    self.add(node, "py-dangerous-reference", "low", name + " used as a value (a type, a base class or a factory)")
                elif name in VALUE_MEDIUM:
                    self.add(node, "py-dangerous-reference", "medium", name + " used as a value: cannot tell how it is called")

            def by_name(self, node, name, args):
                """operator.methodcaller("system"), operator.attrgetter("system"), pkgutil.resolve_name("os:system"): functions
                reached by a name given as text."""
                if not args:
                    return
                values = [v for v in self.fold(args[0]) if type(v) is str]
                if not values or any(UNKNOWN in v for v in values):
                    text = static_text(args[0]).lower()
                    self.add(node, "py-indirect-call", "high" if any(w in text for w in EXEC_WORDS) else "medium",
                             name + " with a name computed at run time hides which function is reached")
                    return
                for value in values:
                    target = value.replace(":", ".")
                    last = target.rsplit(".", 1)[-1]
                    if name == "pkgutil.resolve_name":
                        target = normal(target)
                        if target in VALUE_HIGH or target in VALUE_MEDIUM:
                            self.value_reference(node, target)
                        elif target.split(".")[0] in DANGEROUS_MODULES:
                            self.add(node, "py-indirect-import", "medium", name + "(" + repr(value) + ") reaches a dangerous module indirectly")
                    elif last in NATIVE_EXEC or last in ("eval", "exec", "__import__", "compile") or last.startswith(("exec", "spawn")):
                        self.add(node, "py-indirect-call", "high", name + "(" + repr(value) + ") reaches an exec-like function by name")

            def code_runner(self, node, name, args):
                """exec, eval, timeit, cProfile.run, pdb.run, code.InteractiveInterpreter().runsource, runpy, breakpoint: run code.
                A literal code string is analysed in its turn and its findings reported here; other code is unknown (medium)."""
                position = CODE_RUNNERS.get(name, 0)
                rule = "py-" + name if name in ("eval", "exec") else "py-code-runner"
                if position is None:
                    self.add(node, rule, "medium", name + " runs code chosen at run time")
                    return
                code = [args[position]] if len(args) > position else []
                code += [k.value for k in node.keywords if k.arg in CODE_KEYWORDS]
                if not code:
                    return
                for value in code:
                    candidates = self.fold(value)
                    literal = all(type(c) is str and UNKNOWN not in c for c in candidates)
                    if not literal:
                        if name == "eval":
                            self.add(node, rule, "medium", "eval runs arbitrary code; use ast.literal_eval for data")
                        elif name == "exec":
                            self.add(node, rule, "medium", "exec runs arbitrary code")
                        elif type(value) is ast.Lambda:
                            pass  # timeit.Timer(lambda: ...): a callable, whose body the walk covers
                        else:
                            self.add(node, rule, "medium", name + " runs code given at run time")
                        continue
                    if name in ("eval", "exec"):
                        self.add(node, rule, "low", name + " of a constant code string, analysed as part of this file")
                    for text in candidates:
                        self.nested(node, name, text)

            def nested(self, node, name, text):
                """Findings of a code string a runner is given, at the runner's line."""
                if self.depth >= NESTED_DEPTH:
                    self.add(node, "py-code-runner", "medium", name + " runs code nested too deeply to follow")
                    return
                try:
                    tree = ast.parse(text)
                except (SyntaxError, ValueError):
                    # It raises SyntaxError when run (unless a newer Python reads it): noted, not asked about.
                    self.add(node, "py-code-runner", "low", name + " is given code that does not parse here; not analysed")
                    return
                inner = Analysis(self.depth + 1)
                inner.run(tree)
                line = getattr(node, "lineno", 1)
                for _, rule, severity, message, shell in inner.findings:
                    self.findings.append((line, rule, severity, message + " (in the code " + name + " runs)", shell))


        def path_danger(path):
            """high for a system or home path, or one under a system directory (/etc/passwd); medium for a path whose known
            start is one of those and whose rest is computed ("/etc/" + name); None otherwise."""
            known, computed, _ = path.partition(UNKNOWN)
            if known.startswith("/"):
                # /tmp/../etc is /etc; //etc is /etc.
                known = "/" + posixpath.normpath(known).lstrip("/") + ("/" if known.endswith("/") and known != "/" else "")
            if known.startswith(SAFE_ROOTS) or (known + "/").startswith(SAFE_ROOTS) and not computed:
                return None
            if computed and not known:
                return None
            trimmed = known.rstrip("/") or known[:1]
            if trimmed in SYSTEM_EXACT or trimmed in SYSTEM_ROOTS or trimmed.startswith(SYSTEM_PREFIXES):
                return "medium" if computed else "high"
            return None

        """#
}
