// Part of PythonAnalyzer's Python helper (see PythonAnalyzer+Helper.swift).

extension PythonAnalyzer {
    /// The walk over a file's tree (once, with an explicit stack), the names it follows through imports and aliases, and the batch driver that
    /// writes JSON lines.
    static let helperWalk = #"""
        class Analysis(Folding, Effects, Rules):
            """One file's analysis: the walk, the names it follows, and the findings."""

            def __init__(self, depth=0):
                self.aliases = {}
                self.findings = []
                self.tarfile = False
                # How deep in code strings given to exec and other runners this analysis is.
                self.depth = depth
                # Assignments (and augmented ones) of the file, and the bindings built from them on first need.
                self.assignment_nodes = []
                self.bound = None
                self.calls = []
                # Calls that reach a dangerous function (getattr(os, "system")): value uses unless called at once.
                self.pending = []
                # Names folded so far, and the folding steps left (a bound on the work any one file can cause).
                self.folded = {}
                # Function bodies as line ranges (the scopes names are bound in), and the nodes they come from.
                self.functions = None
                self.others = []
                self.budget = FOLD_BUDGET

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
                    elif kind is ast.Subscript and self.qualified(node.value) == "sys.modules":
                        # sys.modules["os"], sys.modules["o" + "s"]: the key folded.
                        keys = self.fold(node.slice)
                        if len(keys) != 1 or type(keys[0]) is not str or UNKNOWN in keys[0]:
                            return None
                        parts.append(keys[0])
                        break
                    else:
                        return None
                return normal(".".join(reversed(parts)))

            def call_root(self, call):
                """What a call returns when it is a module or a function: __import__("os") is os, getattr(os, "system") is
                os.system, ctypes.CDLL(None) is a native library."""
                name = self.qualified(call.func)
                args = call.args
                if name in IMPORTERS and args:
                    return self.text_of(args[0])
                if name == "getattr" and len(args) >= 2:
                    base = self.qualified(args[0])
                    if not base or (type(args[1]) is not ast.Constant and base.split(".")[0] not in DANGEROUS_MODULES and base not in DANGEROUS_NAMES):
                        return None
                    attribute = self.text_of(args[1])
                    return base + "." + attribute if attribute else None
                if name in CTYPES_LOADERS:
                    return "ctypes.CDLL()"
                if name == "pkgutil.resolve_name" and args:
                    text = self.text_of(args[0])
                    return text.replace(":", ".") if text else None
                if name in RUNNER_CLASSES:
                    return name
                return None

            def text_of(self, node):
                """The one constant string an expression folds to ("os", "sys" + "tem"); None otherwise."""
                if type(node) is ast.Constant:
                    return node.value if type(node.value) is str else None
                values = self.fold(node)
                return values[0] if len(values) == 1 and type(values[0]) is str and UNKNOWN not in values[0] else None

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
                calls, strings, others, assignments, lookups, references = [], [], [], [], [], []
                value_last = VALUE_LAST
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
                    if kind is ast.Attribute:
                        if node.attr in value_last:
                            references.append(node)
                    elif kind is ast.Name:
                        if node.id in value_last:
                            references.append(node)
                    elif kind is ast.Call:
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
                                (value_kind is ast.Attribute and (value.attr == "__dict__" or value.attr == "modules")):
                            lookups.append(node)
                    elif kind in OTHER_KINDS:
                        others.append(node)
                        if (kind is ast.Assign and type(node.targets[0]) is ast.Name) or kind is ast.AugAssign or kind is ast.For:
                            assignments.append(node)
                # What folding needs (it may run while aliases are followed), then aliases, in source order, so that calls through them resolve.
                self.assignment_nodes = assignments
                self.others = others
                self.calls = calls
                if assignments:
                    assignments.sort(key=lambda n: (n.lineno, n.col_offset))
                    for node in assignments:
                        if type(node) is ast.Assign:
                            self.alias_assignment(node)
                for node in lookups:
                    if type(node.ctx) is ast.Load:
                        self.lookup(node)
                for node in others:
                    self.other(node)
                for node in calls:
                    self.call(node)
                # Names bound to a dangerous function under a name of their own (from os import system as s): found in a second pass.
                extra = [k for k, v in self.aliases.items() if k not in VALUE_LAST and (normal(v) in VALUE_HIGH or normal(v) in VALUE_MEDIUM)]
                if extra:
                    extra = set(extra)
                    references += [n for n in ast.walk(tree) if type(n) is ast.Name and n.id in extra]
                if references or self.pending:
                    self.references(references, calls)
                for node in strings:
                    value = node.value
                    if value == "0.0.0.0":
                        self.add(node, "py-bind-all-interfaces", "medium", "binds to all network interfaces")
                    elif value.startswith(("/tmp", "/var/tmp", "/dev/shm")):
                        self.add(node, "py-hardcoded-tmp", "medium", "a fixed temporary path invites races and symlink attacks")

            def references(self, references, calls):
                """Dangerous functions named other than as the function of a call: used as values."""
                called = None
                for node, name in self.pending:
                    if called is None:
                        called = {id(call.func) for call in calls}
                    if id(node) not in called:
                        self.value_reference(node, name)
                for node in references:
                    if type(node.ctx) is not ast.Load:
                        continue
                    name = self.qualified(node)
                    if name is None or not (name in VALUE_HIGH or name in VALUE_MEDIUM or name.startswith("ctypes.CDLL().")):
                        continue
                    if called is None:
                        called = {id(call.func) for call in calls}
                    if id(node) not in called:
                        self.value_reference(node, name)

            def imported(self, node, name):
                if name == "tarfile":
                    self.tarfile = True
                entry = BAD_IMPORTS.get(name) or BAD_IMPORTS.get(name.split(".")[0] if name.startswith(("Crypto.", "lxml.")) else "")
                if entry:
                    self.add(node, entry[0], entry[1], "import of " + name + ": " + entry[2])


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
            if sys.argv[3:] == ["--wait"]:
                # Started ahead of its request (minic's prepared helper): everything above is loaded; the request is
                # written once its standard input closes. Closed with no request (minic is gone, or dropped this
                # helper): remove the empty directory minic made for it and do nothing.
                sys.stdin.buffer.read()
                if not os.path.exists(sys.argv[1]):
                    try:
                        os.rmdir(os.path.dirname(sys.argv[2]))
                    except OSError:
                        pass
                    return
            # Code strings given to exec and the like are parsed too: their SyntaxWarnings would only be noise on stderr.
            warnings.simplefilter("ignore")
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
            # The output is written and closed: minic waits for this process's exit, which the interpreter's
            # teardown (the helper's thousands of objects) would delay by milliseconds for nothing.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

        """#
}
