// The Python helper of PythonAnalyzer, run with the python3 on PATH. It uses only the standard library.
// Kept as Swift strings so that the minic binary carries it wherever it is copied; the parts are one Python
// program, joined in this order (each part only uses the others' names when it runs).

extension PythonAnalyzer {
    /// The helper's whole source, given to `python3 -c`.
    static let helperSource = helperPrologue + helperFolding + helperEffects + helperRules + helperWalk

    /// The helper's start: its usage, the names of the dangerous functions, modules and classes the rules look for, and small functions on nodes.
    static let helperPrologue = #"""
        """minic's Python analyser: dangerous operations found on Python's own AST (the classes of Bandit's checks).

        Usage: python3 -c SOURCE REQUEST OUTPUT [--wait] (minic passes this text). REQUEST: a JSON file {"files": [path, ...], "texts": [text, ...], "workers": n}.
        With --wait, REQUEST is read once standard input closes (the helper is started ahead of it); no REQUEST then: nothing to do.
        OUTPUT gets one JSON object a line,
        {"i": index, "line": n, "rule": id, "severity": s, "message": m}, index counting files then texts;
        "shell" (when present) is a literal command line the call runs, for minic's shell rules;
        after each text: {"i": index, "n": number of findings}; one that cannot be read or parsed (or whose analysis fails) gives
        {"i": index, "error": "..."} instead. A text with neither is reported by minic as not analysed.
        """
        import ast, bisect, codecs, gc, json, os, posixpath, re, shlex, sys, warnings

        PASSWORD = re.compile(r"pas+wo?r?d|pass(phrase)?|pwd|token|secrete?", re.I)
        SQL = re.compile(r"(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)", re.I | re.S)
        SHELL_CALLS = {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "popen2.popen2", "popen2.popen3", "popen2.popen4",
                       "popen2.Popen3", "popen2.Popen4", "commands.getoutput", "commands.getstatusoutput", "subprocess.getoutput",
                       "subprocess.getstatusoutput", "asyncio.create_subprocess_shell", "platform.popen"}
        SUBPROCESS = {"subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run"}
        SPAWN = {"os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.spawnl",
                 "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.startfile",
                 "os.posix_spawn", "os.posix_spawnp", "pty.spawn", "asyncio.create_subprocess_exec"}
        # Programs that run the text after -c: shells (and env or busybox before one), and interpreters.
        SHELL_NAMES = {"sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "fish", "ash", "busybox", "env", "sudo", "doas", "nohup", "timeout"}
        INTERPRETERS = ("python", "pypy", "perl", "ruby", "node", "php", "lua", "osascript")
        # What `from MODULE import *` brings in that the rules look for.
        STAR_NAMES = {"os": [n.split(".", 1)[1] for n in SHELL_CALLS | SPAWN if n.startswith("os.")],
                      "subprocess": [n.split(".", 1)[1] for n in SUBPROCESS | SHELL_CALLS if n.startswith("subprocess.")],
                      "pty": ["spawn"], "builtins": ["eval", "exec", "compile", "__import__", "getattr"],
                      "ctypes": ["CDLL", "PyDLL", "WinDLL", "OleDLL", "LibraryLoader", "cdll", "pydll", "windll"]}
        STAR_NAMES["posix"] = STAR_NAMES["nt"] = STAR_NAMES["os"]
        PICKLE = {"pickle.load", "pickle.loads", "pickle.Unpickler", "cPickle.load", "cPickle.loads", "cPickle.Unpickler", "dill.load",
                  "dill.loads", "dill.Unpickler", "shelve.open", "shelve.DbfilenameShelf", "jsonpickle.decode", "jsonpickle.unpickler.decode",
                  "pandas.read_pickle", "pd.read_pickle", "joblib.load", "cloudpickle.load", "cloudpickle.loads", "dill.load_session",
                  "pickle._loads", "pickle._load", "pickle._Unpickler", "sklearn.externals.joblib.load"}
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
                             "popen2", "shutil", "sys", "platform", "asyncio", "multiprocessing", "runpy", "code", "pickle", "marshal", "cffi",
                             "timeit", "cProfile", "profile", "pdb", "bdb", "pkgutil", "operator", "functools"}
        DANGEROUS_NAMES = {"eval", "exec", "compile", "__import__", "getattr", "globals", "vars", "locals", "execfile", "breakpoint"}
        IMPORTERS = {"__import__", "importlib.import_module", "importlib.__import__"}
        CTYPES_LOADERS = {"ctypes.CDLL", "ctypes.PyDLL", "ctypes.WinDLL", "ctypes.OleDLL", "ctypes.LibraryLoader", "ctypes.cdll.LoadLibrary",
                          "ctypes.pydll.LoadLibrary", "ctypes.windll.LoadLibrary", "ctypes.CDLL.LoadLibrary", "_ctypes.dlopen", "cffi.FFI.dlopen"}
        NATIVE_EXEC = {"system", "popen", "execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "posix_spawn", "posix_spawnp", "fork",
                       "vfork", "dlopen", "dlsym"}
        # Words that make a computed name or a looked-up key an exec-capable function.
        EXEC_WORDS = ("system", "popen", "exec", "eval", "spawn", "import", "compile", "fork", "builtins")


        # Modules that are others under another name: os's C module, pickle's, the builtins.
        SAME_MODULES = {"builtins": "", "__builtins__": "", "posix": "os", "nt": "os", "_pickle": "pickle", "cPickle": "pickle",
                        "_posixsubprocess": "subprocess"}


        def normal(name):
            """builtins.eval is eval, posix.system and nt.system are os.system, _pickle.loads is pickle.loads; os.system.__call__ is
            os.system and os.system.__self__.popen is os.popen (a builtin function's __self__ is its module)."""
            if name is None:
                return None
            head, dot, rest = name.partition(".")
            same = SAME_MODULES.get(head)
            if same is not None and dot:
                name = same + "." + rest if same else rest
            if "__" in name:
                while ".__call__" in name:
                    name = name.replace(".__call__", "", 1)
                while ".__self__" in name:
                    before, _, after = name.partition(".__self__")
                    name = before.rsplit(".", 1)[0] + after if "." in before else after.lstrip(".")
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
        OTHER_KINDS = frozenset((ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Compare, ast.Dict, ast.FunctionDef, ast.AsyncFunctionDef, ast.Try, ast.Assert,
                                 ast.BinOp, ast.JoinedStr, ast.For))
        # Calls whose result alias_assignment follows (the rest are skipped without resolving their names).
        ROOT_CALLS = {"__import__", "getattr", "import_module", "CDLL", "PyDLL", "WinDLL", "OleDLL", "LoadLibrary", "LibraryLoader", "dlopen", "resolve_name",
                      "InteractiveInterpreter", "InteractiveConsole", "Profile", "Pdb", "Bdb"}
        # Calls that return the function they name, and the methods of a mapping that look a key up.
        ROOT_VALUES = {"getattr", "pkgutil.resolve_name"}
        MAPPING_GETS = {"get", "__getitem__"}
        # What such a method is called on when it may be a lookup: globals()/vars(x), os.__dict__ or sys.modules, __builtins__.
        LOOKUP_KINDS = (ast.Call, ast.Attribute, ast.Name)
        # Classes whose instances run code given as text (code.InteractiveConsole().push(x), cProfile.Profile().run(x)).
        RUNNER_CLASSES = {"code.InteractiveInterpreter", "code.InteractiveConsole", "cProfile.Profile", "profile.Profile", "pdb.Pdb", "bdb.Bdb"}


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

        """#
}
