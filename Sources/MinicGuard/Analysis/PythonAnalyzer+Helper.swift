// The Python helper of PythonAnalyzer, run with the python3 on PATH. It uses only the standard library.
// Kept as a Swift string so that the minic binary carries it wherever it is copied.

extension PythonAnalyzer {
    static let helperSource = #"""
        """minic's Python analyser: dangerous operations found on Python's own AST (the classes of Bandit's checks).

        Usage: python3 -c SOURCE REQUEST OUTPUT (minic passes this text). REQUEST: a JSON file {"files": [path, ...], "texts": [text, ...], "workers": n}.
        OUTPUT gets one JSON object a line,
        {"i": index, "line": n, "rule": id, "severity": s, "message": m}, index counting files then texts;
        a file that does not parse gives {"i": index, "error": "..."}.
        """
        import ast, gc, json, os, re, sys

        PASSWORD = re.compile(r"pas+wo?r?d|pass(phrase)?|pwd|token|secrete?", re.I)
        SQL = re.compile(r"(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)", re.I | re.S)
        SHELL_CALLS = {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "popen2.popen2", "popen2.popen3", "popen2.popen4",
                       "popen2.Popen3", "popen2.Popen4", "commands.getoutput", "commands.getstatusoutput", "subprocess.getoutput",
                       "subprocess.getstatusoutput"}
        SUBPROCESS = {"subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run"}
        SPAWN = {"os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.spawnl",
                 "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.startfile"}
        PICKLE = {"pickle.load", "pickle.loads", "pickle.Unpickler", "cPickle.load", "cPickle.loads", "cPickle.Unpickler", "dill.load",
                  "dill.loads", "dill.Unpickler", "shelve.open", "shelve.DbfilenameShelf", "jsonpickle.decode", "jsonpickle.unpickler.decode",
                  "pandas.read_pickle", "pd.read_pickle"}
        MARSHAL = {"marshal.load", "marshal.loads"}
        WEAK_HASHES = {"hashlib.md5", "hashlib.sha1", "hashlib.md4", "Crypto.Hash.MD2.new", "Crypto.Hash.MD4.new", "Crypto.Hash.MD5.new",
                       "Crypto.Hash.SHA.new", "Cryptodome.Hash.MD5.new", "Cryptodome.Hash.SHA.new", "cryptography.hazmat.primitives.hashes.MD5",
                       "cryptography.hazmat.primitives.hashes.SHA1"}
        WEAK_CIPHERS = {"Crypto.Cipher.ARC2.new", "Crypto.Cipher.ARC4.new", "Crypto.Cipher.Blowfish.new", "Crypto.Cipher.DES.new",
                        "Crypto.Cipher.XOR.new", "Cryptodome.Cipher.ARC2.new", "Cryptodome.Cipher.ARC4.new", "Cryptodome.Cipher.Blowfish.new",
                        "Cryptodome.Cipher.DES.new", "cryptography.hazmat.primitives.ciphers.algorithms.ARC4",
                        "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish", "cryptography.hazmat.primitives.ciphers.algorithms.IDEA",
                        "cryptography.hazmat.primitives.ciphers.algorithms.CAST5", "cryptography.hazmat.primitives.ciphers.algorithms.SEED",
                        "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES"}
        REQUESTS = {"requests." + m for m in ("get", "post", "put", "delete", "patch", "head", "options", "request")} | \
                   {"httpx." + m for m in ("get", "post", "put", "delete", "patch", "head", "options", "request", "stream")}
        RANDOM = {"random." + m for m in ("random", "randrange", "randint", "choice", "choices", "uniform", "triangular", "randbytes", "sample", "getrandbits")}
        XML_PARSE = {p + "." + m for p in ("xml.etree.ElementTree", "xml.etree.cElementTree", "lxml.etree") for m in ("parse", "fromstring", "iterparse", "XMLParser", "XML")} | \
                    {"xml.dom.minidom.parse", "xml.dom.minidom.parseString", "xml.dom.pulldom.parse", "xml.dom.pulldom.parseString",
                     "xml.sax.parse", "xml.sax.parseString", "xml.sax.make_parser", "xml.dom.expatbuilder.parse", "xml.dom.expatbuilder.parseString"}
        URLOPEN = {"urllib.urlopen", "urllib.request.urlopen", "urllib.urlretrieve", "urllib.request.urlretrieve", "urllib2.urlopen",
                   "six.moves.urllib.request.urlopen", "urllib.request.URLopener", "urllib.request.FancyURLopener"}
        BAD_IMPORTS = {"telnetlib": ("py-import-telnetlib", "high", "telnet sends everything in clear text"),
                       "ftplib": ("py-import-ftplib", "high", "FTP sends everything in clear text"),
                       "pickle": ("py-import-pickle", "low", "pickle can run code while loading"),
                       "cPickle": ("py-import-pickle", "low", "pickle can run code while loading"),
                       "dill": ("py-import-pickle", "low", "dill can run code while loading"),
                       "shelve": ("py-import-pickle", "low", "shelve unpickles its data"),
                       "subprocess": ("py-import-subprocess", "low", "starts other programs; check their input"),
                       "xml.etree.cElementTree": ("py-import-xml", "low", "vulnerable to XML attacks; use defusedxml"),
                       "xml.etree.ElementTree": ("py-import-xml", "low", "vulnerable to XML attacks; use defusedxml"),
                       "xml.sax": ("py-import-xml", "low", "vulnerable to XML attacks; use defusedxml"),
                       "xml.dom.expatbuilder": ("py-import-xml", "low", "vulnerable to XML attacks; use defusedxml"),
                       "xml.dom.minidom": ("py-import-xml", "low", "vulnerable to XML attacks; use defusedxml"),
                       "xml.dom.pulldom": ("py-import-xml", "low", "vulnerable to XML attacks; use defusedxml"),
                       "lxml": ("py-import-xml", "low", "vulnerable to XML attacks; use defusedxml"),
                       "Crypto": ("py-import-pycrypto", "high", "pycrypto is unmaintained"),
                       "pyghmi": ("py-import-ipmi", "high", "IPMI is insecure")}


        # Fields that never hold AST nodes (names, flags, contexts), skipped by the walk.
        SCALAR_FIELDS = {"ctx", "id", "arg", "attr", "name", "module", "level", "kind", "type_comment", "asname", "simple", "conversion", "is_async", "names"}
        CHILD_FIELDS = {}
        # Node types the rules look at besides calls, strings and imports.
        OTHER_KINDS = frozenset((ast.Assign, ast.AnnAssign, ast.Compare, ast.Dict, ast.FunctionDef, ast.AsyncFunctionDef, ast.Try, ast.Assert,
                                 ast.BinOp, ast.JoinedStr))


        def constant(node):
            return isinstance(node, ast.Constant)


        def truthy_constant(node):
            return isinstance(node, ast.Constant) and bool(node.value)


        def safe_filter(call):
            value = keyword(call, "filter")
            return isinstance(value, ast.Constant) and value.value in ("data", "tar")


        def keyword(call, name):
            for item in call.keywords:
                if item.arg == name:
                    return item.value
            return None


        class Analysis:
            def __init__(self):
                self.aliases = {}
                self.findings = []
                self.tarfile = False

            def add(self, node, rule, severity, message):
                self.findings.append((getattr(node, "lineno", 1), rule, severity, message))

            def qualified(self, node):
                parts = []
                while isinstance(node, ast.Attribute):
                    parts.append(node.attr)
                    node = node.value
                if not isinstance(node, ast.Name):
                    return None
                parts.append(self.aliases.get(node.id, node.id))
                return ".".join(reversed(parts))

            def run(self, tree):
                calls, strings, others = [], [], []
                # An explicit stack over the fields that can hold nodes: ast.walk's generators cost more than the parse.
                stack = [tree]
                pop, push, extend = stack.pop, stack.append, stack.extend
                children = CHILD_FIELDS
                AST, list_type = ast.AST, list
                while stack:
                    node = pop()
                    kind = type(node)
                    fields = children.get(kind)
                    if fields is None:
                        if not issubclass(kind, AST):
                            continue  # None in Dict.keys and the like
                        fields = children[kind] = tuple(f for f in kind._fields if f not in SCALAR_FIELDS) if kind is not ast.Constant else ()
                    for field in fields:
                        value = getattr(node, field, None)
                        if type(value) is list_type:
                            extend(value)
                        elif isinstance(value, AST):
                            push(value)
                    if kind is ast.Call:
                        calls.append(node)
                    elif kind is ast.Constant:
                        if type(node.value) is str:
                            strings.append(node)
                    elif kind is ast.Import:
                        for name in node.names:
                            self.aliases[name.asname or name.name.split(".")[0]] = name.name if name.asname else name.name.split(".")[0]
                            self.imported(node, name.name)
                    elif kind is ast.ImportFrom:
                        module = node.module or ""
                        for name in node.names:
                            self.aliases[name.asname or name.name] = module + "." + name.name if module else name.name
                            self.imported(node, module + "." + name.name if module else name.name)
                            self.imported(node, module)
                    elif kind in OTHER_KINDS:
                        others.append(node)
                for node in others:
                    self.other(node)
                for node in calls:
                    self.call(node)
                for node in strings:
                    value = node.value
                    if value == "0.0.0.0":
                        self.add(node, "py-bind-all-interfaces", "medium", "binds to all network interfaces")
                    elif value.startswith(("/tmp", "/var/tmp", "/dev/shm")):
                        self.add(node, "py-hardcoded-tmp", "medium", "a fixed temporary path invites races and symlink attacks")

            def imported(self, node, name):
                if name == "tarfile":
                    self.tarfile = True
                entry = BAD_IMPORTS.get(name) or BAD_IMPORTS.get(name.split(".")[0] if name.startswith(("Crypto.", "lxml.")) else "")
                if entry:
                    self.add(node, entry[0], entry[1], "import of " + name + ": " + entry[2])

            def call(self, node):
                name = self.qualified(node.func)
                attribute = node.func.attr if isinstance(node.func, ast.Attribute) else None
                if attribute == "format" and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) and \
                        SQL.search(node.func.value.value):
                    self.add(node, "py-sql-string", "medium", "SQL built with str.format: injection; use query parameters")
                shell = keyword(node, "shell")
                if name is None:
                    if attribute == "extractall" and self.tarfile and not safe_filter(node):
                        self.add(node, "py-tarfile-extractall", "high", "tar extraction without the 'data' or 'tar' filter can write outside the target directory")
                    if shell is not None and truthy_constant(shell):
                        self.add(shell, "py-shell-true", "medium", "a call with shell=True")
                    return
                args = node.args
                if name == "eval":
                    self.add(node, "py-eval", "medium", "eval runs arbitrary code; use ast.literal_eval for data")
                elif name == "exec":
                    self.add(node, "py-exec", "medium", "exec runs arbitrary code")
                elif name == "compile" and args and not constant(args[0]):
                    self.add(node, "py-compile", "low", "compiles code built at run time")
                elif name in ("__import__", "importlib.import_module", "importlib.__import__") and args and not constant(args[0]):
                    self.add(node, "py-dynamic-import", "medium", "imports a module whose name is computed at run time")
                elif name in SUBPROCESS:
                    if shell is not None and not constant(shell):
                        self.add(shell, "py-subprocess-shell", "medium", "subprocess with shell= from a variable: a shell when it is true")
                    elif shell is not None and truthy_constant(shell):
                        literal = bool(args) and constant(args[0])
                        self.add(shell, "py-subprocess-shell", "low" if literal else "high",
                                 "subprocess with shell=True" + ("" if literal else " and a command built at run time: shell injection"))
                    else:
                        self.add(node, "py-subprocess", "low", "starts a program; check for untrusted input")
                elif name in SHELL_CALLS:
                    literal = bool(args) and constant(args[0])
                    self.add(node, "py-shell-call", "low" if literal else "high", name + " runs a shell" + ("" if literal else " on a command built at run time: shell injection"))
                elif name in SPAWN:
                    self.add(node, "py-process-start", "low", name + " starts a program")
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



        def analyse(item):
            index, source, is_path = item
            try:
                if is_path:
                    with open(source, "rb") as handle:
                        source = handle.read()
                tree = ast.parse(source)
            except (SyntaxError, ValueError, OSError) as error:
                return index, None, "%s: %s" % (type(error).__name__, getattr(error, "msg", str(error)))
            analysis = Analysis()
            analysis.run(tree)
            return index, analysis.findings, None


        def main():
            # The trees are dropped file by file and hold no cycles worth collecting; the cyclic
            # collector would otherwise walk millions of AST nodes over and over.
            gc.disable()
            with open(sys.argv[1], encoding="utf-8") as handle:
                request = json.load(handle)
            items = [(i, p, True) for i, p in enumerate(request.get("files", []))]
            items += [(len(items) + i, t, False) for i, t in enumerate(request.get("texts", []))]
            workers = int(request.get("workers", 1))
            out = open(sys.argv[2], "w", encoding="utf-8")
            if workers > 1 and len(items) > 8:
                import multiprocessing
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    results = pool.imap_unordered(analyse, items, chunksize=16)
                    emit(results, out)
            else:
                emit(map(analyse, items), out)
            out.close()


        def emit(results, out):
            dumps = json.dumps
            for index, findings, error in results:
                if error is not None:
                    out.write(dumps({"i": index, "error": error}) + "\n")
                    continue
                for line, rule, severity, message in findings:
                    out.write(dumps({"i": index, "line": line, "rule": rule, "severity": severity, "message": message}) + "\n")


        if __name__ == "__main__":
            main()
        """#
}
