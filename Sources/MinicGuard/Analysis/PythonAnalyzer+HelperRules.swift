// Part of PythonAnalyzer's Python helper (see PythonAnalyzer+Helper.swift).

extension PythonAnalyzer {
    /// The rules on calls (shells, processes, deserialisation, weak cryptography, ...) and on the other nodes the walk collects.
    static let helperRules = #"""
        class Rules:
            """The rules on calls and on the other nodes the walk collects; mixed into Analysis."""

            def call(self, node):
                name = self.qualified(node.func)
                attribute = node.func.attr if isinstance(node.func, ast.Attribute) else None
                if attribute == "format" and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) and \
                        SQL.search(node.func.value.value):
                    self.add(node, "py-sql-string", "medium", "SQL built with str.format: injection; use query parameters")
                shell = keyword(node, "shell")
                if shell is None and node.keywords and opaque_keywords(node):
                    shell = ast.Name("**kwargs")  # may hold shell=True: counted as a computed shell= below
                if attribute in MAPPING_GETS and node.args and type(node.func.value) in LOOKUP_KINDS:
                    # globals().get("eval"), vars(os).get(name), os.__dict__.get("system"): lookups by another name.
                    lookup = ast.Subscript(value=node.func.value, slice=node.args[0], ctx=ast.Load())
                    lookup.lineno = node.lineno
                    self.lookup(lookup)
                if attribute in PATH_METHODS or name in REMOVALS:
                    self.removal(node, name, node.args)
                if name in WRITES:
                    self.write(node, name, node.args)
                if name in ("os.kill", "os.killpg") and node.args and any(c in ("-1", "0", "1") for c in self.fold(node.args[0])):
                    self.add(node, "py-kill-all", "high", name + " of every process (pid -1, 0 or 1)")
                if name is None:
                    if attribute in VALUE_LAST and type(node.func.value) is ast.Subscript and self.qualified(node.func.value.value) == "sys.modules":
                        self.add(node, "py-indirect-call", "high", "calls " + attribute + " on a module chosen at run time in sys.modules")
                    if attribute == "extractall" and self.tarfile and not safe_filter(node):
                        self.add(node, "py-tarfile-extractall", "high", "tar extraction without the 'data' or 'tar' filter can write outside the target directory")
                    if shell is not None and truthy_constant(shell):
                        self.add(shell, "py-shell-true", "medium", "a call with shell=True")
                    return
                args = node.args
                if name in ROOT_VALUES:
                    # getattr(os, "system") not called at once: a dangerous function as a value.
                    root = normal(self.call_root(node))
                    if root in VALUE_HIGH or root in VALUE_MEDIUM:
                        self.pending.append((node, root))
                self.indirect(node, name, args)
                if name in CODE_RUNNERS:
                    self.code_runner(node, name, args)
                elif name in BY_NAME:
                    self.by_name(node, name, args)
                elif name == "compile" and args and not constant(args[0]):
                    self.add(node, "py-compile", "low", "compiles code built at run time")
                elif name in ("__import__", "importlib.import_module", "importlib.__import__") and args and not constant(args[0]):
                    self.add(node, "py-dynamic-import", "medium", "imports a module whose name is computed at run time")
                elif name in SUBPROCESS:
                    args = spread(args)
                    self.subprocess_call(node, args, shell)
                elif name in SHELL_CALLS:
                    args = spread(args)
                    text, literal = self.command_text(args[0] if args else keyword(node, "command") or keyword(node, "cmd"))
                    self.add(node, "py-shell-call", "low" if literal else "high",
                             name + " runs a shell" + ("" if literal else " on a command built at run time: shell injection"),
                             text if literal else None)
                elif name in SPAWN:
                    self.spawn(node, name, args)
                elif name in ("numpy.load", "np.load"):
                    allow = keyword(node, "allow_pickle")
                    if allow is not None and not (constant(allow) and not allow.value):
                        self.add(node, "py-pickle", "medium", name + " with allow_pickle unpickles: it can run arbitrary code while loading untrusted data")
                elif name in PICKLE:
                    self.add(node, "py-pickle", "medium", name + " can run arbitrary code while loading untrusted data")
                elif name in MARSHAL:
                    self.add(node, "py-marshal", "medium", name + " is unsafe on untrusted data")
                elif name == "yaml.load":
                    loader = keyword(node, "Loader") or (args[1] if len(args) > 1 else None)
                    loader_name = self.qualified(loader) if loader is not None else None
                    if loader_name is None or not loader_name.split(".")[-1] in ("SafeLoader", "CSafeLoader", "BaseLoader"):
                        self.add(node, "py-yaml-load", "medium", "yaml.load without SafeLoader can build arbitrary objects; use yaml.safe_load")
                elif name in ("yaml.unsafe_load", "yaml.full_load"):
                    self.add(node, "py-yaml-load", "medium", name + " can build arbitrary objects; use yaml.safe_load")
                elif name == "torch.load":
                    weights = keyword(node, "weights_only")
                    if weights is None or not truthy_constant(weights):
                        self.add(node, "py-torch-load", "medium", "torch.load unpickles; pass weights_only=True")
                elif name in WEAK_HASHES or (name in ("hashlib.new",) and args and constant(args[0]) and str(args[0].value).lower() in ("md4", "md5", "sha", "sha1")):
                    used = keyword(node, "usedforsecurity")
                    if used is None or truthy_constant(used):
                        self.add(node, "py-weak-hash", "high", "weak hash (" + name + ") for security; use SHA-256 or better, or usedforsecurity=False")
                elif name in ("crypt.crypt", "crypt.mksalt") and any(
                        (self.qualified(a) or "").split(".")[-1] in ("METHOD_CRYPT", "METHOD_MD5", "METHOD_BLOWFISH") for a in args + [k.value for k in node.keywords]):
                    self.add(node, "py-weak-hash", "high", "weak crypt method for passwords; use METHOD_SHA512 or a real KDF")
                elif name in WEAK_CIPHERS:
                    self.add(node, "py-weak-cipher", "high", "broken cipher " + name.split(".")[-2 if name.endswith(".new") else -1])
                elif name.endswith("modes.ECB") or name.endswith("MODE_ECB"):
                    self.add(node, "py-weak-cipher-mode", "medium", "ECB mode leaks patterns of the plain text")
                elif name == "tempfile.mktemp" or name == "os.tempnam" or name == "os.tmpnam":
                    self.add(node, "py-mktemp", "medium", name + " races: another process can create the file first; use mkstemp")
                elif name in RANDOM:
                    self.add(node, "py-random", "low", "the random module is not for security; use secrets")
                elif name in XML_PARSE:
                    self.add(node, "py-xml-parse", "medium", name + " on untrusted XML allows entity attacks; use defusedxml")
                elif name in URLOPEN:
                    self.add(node, "py-urlopen", "medium", name + " also opens file:// and custom schemes")
                elif name in ("os.chmod",) and len(args) > 1 and constant(args[1]) and isinstance(args[1].value, int) and args[1].value & 0o002:
                    self.add(node, "py-chmod-world-writable", "medium", "makes a file writable by everyone")
                elif name in ("jinja2.Environment", "jinja2.environment.Environment"):
                    escape = keyword(node, "autoescape")
                    if escape is None or (constant(escape) and not escape.value):
                        self.add(node, "py-jinja-autoescape", "high", "jinja2 without autoescape allows cross-site scripting")
                if attribute == "extractall" and self.tarfile and not safe_filter(node):
                    self.add(node, "py-tarfile-extractall", "high", "tar extraction without the 'data' or 'tar' filter can write outside the target directory")
                if name in REQUESTS and keyword(node, "timeout") is None:
                    self.add(node, "py-request-no-timeout", "medium", name + " without a timeout can hang forever")
                verify = keyword(node, "verify")
                if verify is not None and isinstance(verify, ast.Constant) and verify.value is False:
                    self.add(node, "py-verify-false", "high", "certificate verification turned off")
                if shell is not None and truthy_constant(shell) and name not in SUBPROCESS:
                    self.add(shell, "py-shell-true", "medium", "a call with shell=True")
                if attribute == "set_missing_host_key_policy" and args:
                    policy = self.qualified(args[0].func if isinstance(args[0], ast.Call) else args[0]) or ""
                    if policy.split(".")[-1] in ("AutoAddPolicy", "WarningPolicy"):
                        self.add(node, "py-ssh-no-host-key", "high", "accepts any SSH host key")
                if attribute == "run" and truthy_constant(keyword(node, "debug") or ast.Constant(False)) and "app" in (self.qualified(node.func.value) or ""):
                    self.add(node, "py-flask-debug", "high", "a Flask app run with debug=True exposes the Werkzeug debugger")
                for item in node.keywords:
                    if item.arg and PASSWORD.search(item.arg) and isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
                        self.add(node, "py-hardcoded-password", "low", "a hard-coded password passed as " + item.arg)

            def indirect(self, node, name, args):
                """Dangerous functions reached indirectly: dynamic imports of dangerous modules, getattr with a computed
                name on one, and ctypes libraries and what is called on them."""
                if name in IMPORTERS and args and type(args[0]) is ast.Constant and str(args[0].value).split(".")[0] in DANGEROUS_MODULES:
                    self.add(node, "py-indirect-import", "medium", name + "(" + repr(args[0].value) + ") imports a dangerous module indirectly")
                elif name == "getattr" and len(args) >= 2 and not (type(args[1]) is ast.Constant):
                    base = self.qualified(args[0])
                    if base is not None and (base.split(".")[0] in DANGEROUS_MODULES or base in DANGEROUS_NAMES or base.startswith("ctypes.CDLL()")):
                        text = static_text(args[1]).lower()
                        self.add(node, "py-indirect-call", "high" if any(w in text for w in EXEC_WORDS) else "medium",
                                 "getattr on " + base + " with a name computed at run time hides which function is called")
                elif name.endswith(".__getattribute__") and args and not name.startswith("ctypes.CDLL()."):
                    # os.__getattribute__("system"), type(os).__getattribute__: getattr under another name.
                    base = name[:-len(".__getattribute__")]
                    if base.split(".")[0] in DANGEROUS_MODULES:
                        text = static_text(args[0]).lower()
                        self.add(node, "py-indirect-call", "high" if any(w in text for w in EXEC_WORDS) else "medium",
                                 base + ".__getattribute__ reaches a function by name: hides which function is called")
                elif name in CTYPES_LOADERS:
                    self.add(node, "py-ctypes", "medium", name + " loads a native library: calls into it bypass every check on the Python side")
                elif name.startswith("ctypes.CDLL().") and name.rsplit(".", 1)[-1] in NATIVE_EXEC:
                    literal = bool(args) and literal_command(args[0])
                    self.add(node, "py-ctypes-exec", "high", "calls the C library's " + name.rsplit(".", 1)[-1] + " through ctypes",
                             literal if name.endswith((".system", ".popen")) and literal else None)

            def lookup(self, node):
                """globals()["eval"], vars(os)["system"], __builtins__.__dict__["exec"], os.__dict__[name]: a function looked up by name."""
                value = node.value
                kind = type(value)
                if kind is ast.Call and type(value.func) is ast.Name and value.func.id in ("globals", "vars", "locals") and not value.func.id in self.aliases:
                    if value.func.id != "globals" and value.args:
                        target = self.qualified(value.args[0])
                        if target is None or target.split(".")[0] not in DANGEROUS_MODULES:
                            return
                        where = value.func.id + "(" + target + ")"
                    else:
                        where = value.func.id + "()"
                elif kind is ast.Name and value.id in ("__builtins__", "builtins"):
                    where = value.id
                elif kind is ast.Attribute and value.attr == "__dict__":
                    target = self.qualified(value.value)
                    if target is None or target.split(".")[0] not in DANGEROUS_MODULES:
                        return
                    where = target + ".__dict__"
                elif kind is ast.Attribute and value.attr == "modules" and self.qualified(value) == "sys.modules":
                    # sys.modules[name]: a module chosen at run time (the key folded first: "o" + "s" is os, which the calls resolve).
                    key = node.slice
                    if not (type(key) is ast.Name and key.id == "__name__") and any(type(c) is not str or UNKNOWN in c for c in self.fold(key)):
                        self.add(node, "py-reflection", "medium", "looks up a module chosen at run time in sys.modules; cannot tell what it reaches")
                    return
                else:
                    return
                key = node.slice
                computed = not (type(key) is ast.Constant)
                text = static_text(key).lower()
                if any(w in text for w in EXEC_WORDS):
                    self.add(node, "py-reflection", "high", "looks up " + (text or "a name") + " in " + where + ": an indirect way to a dangerous function")
                elif computed or where != "globals()":
                    self.add(node, "py-reflection", "medium", "looks up " + ("a computed name" if computed else repr(key.value)) + " in " + where + "; cannot tell what it reaches")

            def other(self, node):
                kind = type(node)
                if kind is ast.Assign or kind is ast.AnnAssign:
                    value = node.value
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        targets = node.targets if kind is ast.Assign else [node.target]
                        for target in targets:
                            name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else \
                                target.slice.value if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str) else None
                            if name and PASSWORD.search(name):
                                self.add(node, "py-hardcoded-password", "low", "a hard-coded password in " + name)
                elif kind is ast.Compare:
                    left = node.left
                    name = left.id if isinstance(left, ast.Name) else left.attr if isinstance(left, ast.Attribute) else None
                    if name and PASSWORD.search(name) and any(isinstance(c, ast.Constant) and isinstance(c.value, str) for c in node.comparators):
                        self.add(node, "py-hardcoded-password", "low", "compares " + name + " with a hard-coded string")
                elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                    positional = node.args.posonlyargs + node.args.args
                    defaults = list(zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults))
                    defaults += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None]
                    for argument, default in defaults:
                        if PASSWORD.search(argument.arg) and isinstance(default, ast.Constant) and isinstance(default.value, str):
                            self.add(node, "py-hardcoded-password", "low", "a hard-coded default password for " + argument.arg)
                elif kind is ast.Dict:
                    for key, value in zip(node.keys, node.values):
                        if isinstance(key, ast.Constant) and isinstance(key.value, str) and PASSWORD.search(key.value) and \
                                isinstance(value, ast.Constant):
                            self.add(key, "py-hardcoded-password", "low", "a hard-coded password under " + key.value)
                elif kind is ast.Try:
                    for handler in node.handlers:
                        if len(handler.body) == 1 and type(handler.body[0]) in (ast.Pass, ast.Continue) and \
                                (handler.type is None or (isinstance(handler.type, ast.Name) and handler.type.id in ("Exception", "BaseException"))):
                            rule = "py-try-except-pass" if type(handler.body[0]) is ast.Pass else "py-try-except-continue"
                            self.add(handler, rule, "low", "an exception is silently swallowed")
                elif kind is ast.Assert:
                    self.add(node, "py-assert", "low", "assert is removed under python -O; not a check to rely on")
                elif kind is ast.BinOp:
                    if isinstance(node.op, (ast.Mod, ast.Add)) and not (constant(node.left) and constant(node.right)):
                        text = "".join(side.value for side in (node.left, node.right) if isinstance(side, ast.Constant) and isinstance(side.value, str))
                        if text and SQL.search(text):
                            self.add(node, "py-sql-string", "medium", "SQL built from strings: injection; use query parameters")
                elif kind is ast.JoinedStr:
                    text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
                    if SQL.search(text):
                        self.add(node, "py-sql-string", "medium", "SQL built in an f-string: injection; use query parameters")



            def subprocess_call(self, node, args, shell):
                """subprocess.run and friends: a shell (shell= truthy, computed or maybe in **kwargs) on a command not fully known is
                injection; a known command line or argv (folded from constants) goes through the shell rules."""
                command = args[0] if args else keyword(node, "args")
                candidates = self.fold(command) if command is not None else [None]
                string = all(type(c) is str for c in candidates)
                text, known = self.command_text(command)
                if shell is not None and type(shell) is ast.Name and shell.id == "**kwargs":
                    # A **mapping may or may not hold shell=True: unknown, so ask.
                    self.add(node, "py-subprocess-shell", "medium", "subprocess with **arguments that may set shell=True", text if string and known else None)
                    self.add(node, "py-subprocess", "low", "starts a program; check for untrusted input", None if string else text)
                elif shell is not None and (truthy_constant(shell) or not constant(shell)):
                    # shell= with any truthy value (1, "yes"), or one only known at run time, counts as a shell; with an argv, its first word is the shell text.
                    truthy = truthy_constant(shell)
                    if known and not string:
                        text = "\n".join(c[0] for c in candidates if type(c) is list and c and type(c[0]) is str)
                    self.add(shell, "py-subprocess-shell", "high" if not known else "low" if truthy else "medium",
                             "subprocess with shell=" + ("True" if truthy else " from a variable") +
                             ("" if known else " and a command built at run time: shell injection"),
                             text if known else None)
                elif self.shell_c(command):
                    level = self.shell_c(command)
                    self.add(node, "py-subprocess-shell", level, "subprocess runs a " + ("shell" if level == "high" else "an interpreter") +
                             " with -c on a command built at run time" + (": shell injection" if level == "high" else ""), text)
                else:
                    self.add(node, "py-subprocess", "low", "starts a program; check for untrusted input", None if string else text)
                    if not string:
                        self.interpreter_code(node, command)

            def spawn(self, node, name, args):
                """os.exec*, os.spawn*, os.posix_spawn, pty.spawn: a known argv goes through the shell rules (low otherwise); a shell
                given -c and a command built at run time is injection (high); any other program or argv built at run time is unknown (medium)."""
                args = spread(args)
                tail = name.rsplit(".", 1)[-1]
                first = 1 if tail.startswith("spawn") and name != "pty.spawn" else 0
                if name in ("pty.spawn", "asyncio.create_subprocess_exec", "os.startfile"):
                    argv = args[0] if name == "pty.spawn" and args else ast.List(args[:1] if name == "os.startfile" else args)
                elif "l" in tail[4:] and name.startswith(("os.exec", "os.spawn")):
                    words = args[first + 1:]
                    argv = ast.List(words[:-1] if tail.endswith("e") and words else words)
                else:
                    argv = args[first + 1] if len(args) > first + 1 else None
                program = args[first] if len(args) > first and name != "pty.spawn" else None
                text, known = self.command_text(argv, as_argv=True)
                program_known = program is None or all(type(c) is str and UNKNOWN not in c for c in self.fold(program))
                if known and program_known:
                    self.add(node, "py-process-start", "low", name + " starts a program", text)
                    self.interpreter_code(node, argv)
                    return
                level = self.shell_c(argv)
                if level:
                    self.add(node, "py-process-start", level, name + " runs a " + ("shell" if level == "high" else "an interpreter") +
                             " with -c on a command built at run time" + (": shell injection" if level == "high" else ""), text)
                else:
                    self.add(node, "py-process-start", "medium", name + " starts a program" + (" chosen" if not program_known else " with arguments built") +
                             " at run time", text)


        def spread(args):
            """f(*["rm", "-rf", "/"]), f(*[cmd]): a literal list's elements are the arguments."""
            if ast.Starred not in map(type, args):
                return args
            return [e for a in args for e in (a.value.elts if type(a) is ast.Starred and type(a.value) in (ast.List, ast.Tuple) else [a])]

        """#
}
