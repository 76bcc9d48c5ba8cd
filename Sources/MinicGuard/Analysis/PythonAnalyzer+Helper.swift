// The Python helper of PythonAnalyzer, run with the python3 on PATH. It uses only the standard library.
// Kept as a Swift string so that the minic binary carries it wherever it is copied.

extension PythonAnalyzer {
    static let helperSource = #"""
        """minic's Python analyser: dangerous operations found on Python's own AST (the classes of Bandit's checks).

        Usage: python3 -c SOURCE REQUEST OUTPUT (minic passes this text). REQUEST: a JSON file {"files": [path, ...], "texts": [text, ...], "workers": n}.
        OUTPUT gets one JSON object a line,
        {"i": index, "line": n, "rule": id, "severity": s, "message": m}, index counting files then texts;
        "shell" (when present) is a literal command line the call runs, for minic's shell rules;
        after each text: {"i": index, "n": number of findings}; one that cannot be read or parsed (or whose analysis fails) gives
        {"i": index, "error": "..."} instead. A text with neither is reported by minic as not analysed.
        """
        import ast, gc, json, os, re, shlex, sys

        PASSWORD = re.compile(r"pas+wo?r?d|pass(phrase)?|pwd|token|secrete?", re.I)
        SQL = re.compile(r"(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)", re.I | re.S)
        SHELL_CALLS = {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "popen2.popen2", "popen2.popen3", "popen2.popen4",
                       "popen2.Popen3", "popen2.Popen4", "commands.getoutput", "commands.getstatusoutput", "subprocess.getoutput",
                       "subprocess.getstatusoutput", "asyncio.create_subprocess_shell", "platform.popen"}
        SUBPROCESS = {"subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run"}
        SPAWN = {"os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.spawnl",
                 "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.startfile",
                 "os.posix_spawn", "os.posix_spawnp", "pty.spawn", "asyncio.create_subprocess_exec"}
        # What `from MODULE import *` brings in that the rules look for.
        STAR_NAMES = {"os": [n.split(".", 1)[1] for n in SHELL_CALLS | SPAWN if n.startswith("os.")],
                      "subprocess": [n.split(".", 1)[1] for n in SUBPROCESS | SHELL_CALLS if n.startswith("subprocess.")],
                      "pty": ["spawn"], "builtins": ["eval", "exec", "compile", "__import__", "getattr"]}
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


        # Modules whose functions start programs, load code or reach other functions by name: aliasing one, or
        # looking a name up on it through getattr, globals(), vars() or __dict__, is followed or reported.
        DANGEROUS_MODULES = {"os", "posix", "nt", "subprocess", "builtins", "__builtins__", "importlib", "ctypes", "_ctypes", "pty", "commands",
                             "popen2", "shutil", "sys", "platform", "asyncio", "multiprocessing", "runpy", "code", "pickle", "marshal", "cffi"}
        DANGEROUS_NAMES = {"eval", "exec", "compile", "__import__", "getattr", "globals", "vars", "locals", "execfile", "breakpoint"}
        IMPORTERS = {"__import__", "importlib.import_module", "importlib.__import__"}
        CTYPES_LOADERS = {"ctypes.CDLL", "ctypes.PyDLL", "ctypes.WinDLL", "ctypes.OleDLL", "ctypes.LibraryLoader", "ctypes.cdll.LoadLibrary",
                          "ctypes.pydll.LoadLibrary", "ctypes.windll.LoadLibrary", "ctypes.CDLL.LoadLibrary", "_ctypes.dlopen", "cffi.FFI.dlopen"}
        NATIVE_EXEC = {"system", "popen", "execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "posix_spawn", "posix_spawnp", "fork",
                       "vfork", "dlopen", "dlsym"}
        # Words that make a computed name or a looked-up key an exec-capable function.
        EXEC_WORDS = ("system", "popen", "exec", "eval", "spawn", "import", "compile", "fork", "builtins")


        def normal(name):
            """builtins.eval and __builtins__.eval are eval."""
            if name is not None and name.startswith(("builtins.", "__builtins__.")):
                return name.split(".", 1)[1]
            return name


        def static_text(node):
            """The constant parts of a string expression ("sys" + "tem", f"sys{x}", "".join([...])), joined; a best effort."""
            kind = type(node)
            if kind is ast.Constant:
                return node.value if type(node.value) is str else ""
            if kind is ast.BinOp:
                return static_text(node.left) + static_text(node.right)
            if kind is ast.JoinedStr:
                return "".join(static_text(v) for v in node.values)
            if kind is ast.Call and type(node.func) is ast.Attribute and node.func.attr == "join" and node.args and type(node.args[0]) in (ast.List, ast.Tuple):
                return "".join(static_text(v) for v in node.args[0].elts)
            return ""


        def argv_text(nodes):
            """Argument nodes as a shell command line: constants quoted, anything else a variable the shell rules see as computed."""
            words = []
            for node in nodes:
                if type(node) is ast.Constant and type(node.value) in (str, bytes):
                    value = node.value.decode("utf-8", "replace") if type(node.value) is bytes else node.value
                    words.append(shlex.quote(value))
                elif type(node) is ast.Starred:
                    words.append('"$@"')
                else:
                    words.append('"$PY_ARG"')
            return " ".join(words)


        def literal_command(node):
            """A command given as a literal: a string (shell text) or a list or tuple (argv); None otherwise."""
            if node is None:
                return None
            if type(node) is ast.Constant and type(node.value) in (str, bytes):
                return node.value.decode("utf-8", "replace") if type(node.value) is bytes else node.value
            if type(node) in (ast.List, ast.Tuple) and node.elts:
                return argv_text(node.elts)
            return None


        # Fields that never hold AST nodes (names, flags, contexts), skipped by the walk.
        SCALAR_FIELDS = {"ctx", "id", "arg", "attr", "name", "module", "level", "kind", "type_comment", "asname", "simple", "conversion", "is_async", "names"}
        CHILD_FIELDS = {}
        # Node types the rules look at besides calls, strings and imports.
        OTHER_KINDS = frozenset((ast.Assign, ast.AnnAssign, ast.Compare, ast.Dict, ast.FunctionDef, ast.AsyncFunctionDef, ast.Try, ast.Assert,
                                 ast.BinOp, ast.JoinedStr))
        # Calls whose result alias_assignment follows (the rest are skipped without resolving their names).
        ROOT_CALLS = {"__import__", "getattr", "import_module", "CDLL", "PyDLL", "WinDLL", "OleDLL", "LoadLibrary", "LibraryLoader", "dlopen"}


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
                if item.arg is None and type(item.value) is ast.Dict:
                    # **{"shell": True}
                    for key, value in zip(item.value.keys, item.value.values):
                        if type(key) is ast.Constant and key.value == name:
                            return value
            return None


        def opaque_keywords(call):
            """Whether the call passes **mapping that is not a literal dict (it may hold shell=True)."""
            return any(item.arg is None and type(item.value) is not ast.Dict for item in call.keywords)


        class Analysis:
            def __init__(self):
                self.aliases = {}
                self.findings = []
                self.tarfile = False

            def add(self, node, rule, severity, message, shell=None):
                self.findings.append((getattr(node, "lineno", 1), rule, severity, message, shell))

            def qualified(self, node):
                """The dotted name an expression stands for, through imports, aliases, __import__("os"), importlib,
                getattr(module, "constant"), sys.modules["os"] and ctypes libraries; None when it is no such name."""
                parts = []
                while True:
                    kind = type(node)
                    if kind is ast.Attribute:
                        parts.append(node.attr)
                        node = node.value
                    elif kind is ast.Name:
                        parts.append(self.aliases.get(node.id, node.id))
                        break
                    elif kind is ast.Call:
                        root = self.call_root(node)
                        if root is None:
                            return None
                        parts.append(root)
                        break
                    elif kind is ast.Subscript and type(node.slice) is ast.Constant and type(node.slice.value) is str and \
                            self.qualified(node.value) == "sys.modules":
                        parts.append(node.slice.value)
                        break
                    else:
                        return None
                return normal(".".join(reversed(parts)))

            def call_root(self, call):
                """What a call returns when it is a module or a function: __import__("os") is os, getattr(os, "system") is
                os.system, ctypes.CDLL(None) is a native library."""
                name = self.qualified(call.func)
                args = call.args
                if name in IMPORTERS and args and type(args[0]) is ast.Constant and type(args[0].value) is str:
                    return args[0].value
                if name == "getattr" and len(args) >= 2 and type(args[1]) is ast.Constant and type(args[1].value) is str:
                    base = self.qualified(args[0])
                    return base + "." + args[1].value if base else None
                if name in CTYPES_LOADERS:
                    return "ctypes.CDLL()"
                return None

            def alias_assignment(self, node):
                """f = os.system, sp = subprocess, m = __import__("os"), libc = ctypes.CDLL(None): f, sp, m and libc stand for them."""
                value = node.value
                kind = type(value)
                if kind is ast.Call:
                    func = value.func
                    last = func.id if type(func) is ast.Name else func.attr if type(func) is ast.Attribute else None
                    if last not in ROOT_CALLS:
                        return
                    name = normal(self.call_root(value))
                elif kind is ast.Name or kind is ast.Attribute or kind is ast.Subscript:
                    root = value
                    while type(root) is ast.Attribute or type(root) is ast.Subscript:
                        root = root.value
                    # Only names that are, or stand for, a dangerous module or builtin.
                    if type(root) is not ast.Name or not (root.id in self.aliases or root.id in DANGEROUS_MODULES or root.id in DANGEROUS_NAMES):
                        return
                    name = self.qualified(value)
                else:
                    return
                if name is None or not (name.split(".")[0] in DANGEROUS_MODULES or name in DANGEROUS_NAMES or name.startswith("ctypes.CDLL()")):
                    return
                for target in node.targets:
                    if type(target) is ast.Name and target.id != name:
                        self.aliases[target.id] = name

            def run(self, tree):
                calls, strings, others, assignments, lookups = [], [], [], [], []
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
                        for star in STAR_NAMES.get(module, ()) if any(n.name == "*" for n in node.names) else ():
                            self.aliases.setdefault(star, module + "." + star)
                        for name in node.names:
                            self.aliases[name.asname or name.name] = module + "." + name.name if module else name.name
                            self.imported(node, module + "." + name.name if module else name.name)
                            self.imported(node, module)
                    elif kind is ast.Subscript:
                        # Only lookups in globals()/vars()/locals(), __builtins__ or a __dict__ are of interest.
                        value = node.value
                        value_kind = type(value)
                        if (value_kind is ast.Call and type(value.func) is ast.Name and value.func.id in ("globals", "vars", "locals")) or \
                                (value_kind is ast.Name and value.id in ("__builtins__", "builtins")) or \
                                (value_kind is ast.Attribute and value.attr == "__dict__"):
                            lookups.append(node)
                    elif kind in OTHER_KINDS:
                        others.append(node)
                        if kind is ast.Assign and type(node.targets[0]) is ast.Name:
                            assignments.append(node)
                # Aliases first, in source order, so that calls through them resolve.
                if assignments:
                    assignments.sort(key=lambda n: (n.lineno, n.col_offset))
                    for node in assignments:
                        self.alias_assignment(node)
                for node in lookups:
                    if type(node.ctx) is ast.Load:
                        self.lookup(node)
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
                if shell is None and node.keywords and opaque_keywords(node):
                    shell = ast.Name("**kwargs")  # may hold shell=True: counted as a computed shell= below
                if name is None:
                    if attribute == "extractall" and self.tarfile and not safe_filter(node):
                        self.add(node, "py-tarfile-extractall", "high", "tar extraction without the 'data' or 'tar' filter can write outside the target directory")
                    if shell is not None and truthy_constant(shell):
                        self.add(shell, "py-shell-true", "medium", "a call with shell=True")
                    return
                args = node.args
                self.indirect(node, name, args)
                if name == "eval":
                    self.add(node, "py-eval", "medium", "eval runs arbitrary code; use ast.literal_eval for data")
                elif name == "exec":
                    self.add(node, "py-exec", "medium", "exec runs arbitrary code")
                elif name == "compile" and args and not constant(args[0]):
                    self.add(node, "py-compile", "low", "compiles code built at run time")
                elif name in ("__import__", "importlib.import_module", "importlib.__import__") and args and not constant(args[0]):
                    self.add(node, "py-dynamic-import", "medium", "imports a module whose name is computed at run time")
                elif name in SUBPROCESS:
                    command = args[0] if args else keyword(node, "args")
                    literal = literal_command(command)
                    if shell is not None and type(shell) is ast.Name and shell.id == "**kwargs":
                        # A **mapping may or may not hold shell=True: unknown, so ask.
                        self.add(node, "py-subprocess-shell", "medium", "subprocess with **arguments that may set shell=True", literal if type(command) is ast.Constant else None)
                        self.add(node, "py-subprocess", "low", "starts a program; check for untrusted input", literal if type(command) in (ast.List, ast.Tuple) else None)
                    elif shell is not None and (truthy_constant(shell) or not constant(shell)):
                        # shell= with any truthy value (1, "yes"), or one only known at run time, counts as a shell.
                        known = truthy_constant(shell)
                        text = literal if type(command) is ast.Constant else None
                        self.add(shell, "py-subprocess-shell", "high" if literal is None else "low" if known else "medium",
                                 "subprocess with shell=" + ("True" if known else " from a variable") +
                                 (" and a command built at run time: shell injection" if literal is None else ""), text)
                        if text is None and literal is not None:
                            self.add(node, "py-subprocess", "low", "starts a program", literal)
                    else:
                        self.add(node, "py-subprocess", "low", "starts a program; check for untrusted input",
                                 literal if type(command) in (ast.List, ast.Tuple) else None)
                elif name in SHELL_CALLS:
                    literal = bool(args) and constant(args[0])
                    self.add(node, "py-shell-call", "low" if literal else "high", name + " runs a shell" + ("" if literal else " on a command built at run time: shell injection"),
                             literal_command(args[0]) if literal else None)
                elif name in SPAWN:
                    argv = None
                    if name.startswith("os.exec") and len(args) > 1:
                        argv = argv_text(args[1:]) if "l" in name[7:] else literal_command(args[1])
                    elif name.startswith("os.spawn") and len(args) > 2:
                        argv = argv_text(args[2:]) if "l" in name[8:] else literal_command(args[2])
                    elif name.startswith("os.posix_spawn") and len(args) > 1:
                        argv = literal_command(args[1])
                    elif name == "pty.spawn" and args:
                        argv = literal_command(args[0])
                    elif name == "asyncio.create_subprocess_exec" and args:
                        argv = argv_text(args)
                    self.add(node, "py-process-start", "low", name + " starts a program", argv)
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



        def analyse(item):
            index, source, is_path = item
            try:
                if is_path:
                    with open(source, "rb") as handle:
                        source = handle.read()
                tree = ast.parse(source)
                analysis = Analysis()
                analysis.run(tree)
            except Exception as error:
                # Unreadable, not Python 3 (or not this Python's), NUL bytes, too deeply nested, or a rule that broke:
                # not analysed, which minic reports as unknown, never as clean.
                return index, None, "%s: %s" % (type(error).__name__, getattr(error, "msg", None) or str(error))
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
                for line, rule, severity, message, shell in findings:
                    record = {"i": index, "line": line, "rule": rule, "severity": severity, "message": message}
                    if shell:
                        record["shell"] = shell
                    out.write(dumps(record) + "\n")
                out.write(dumps({"i": index, "n": len(findings)}) + "\n")


        if __name__ == "__main__":
            main()
        """#
}
