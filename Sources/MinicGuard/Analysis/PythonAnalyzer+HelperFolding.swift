// Part of PythonAnalyzer's Python helper (see PythonAnalyzer+Helper.swift).

extension PythonAnalyzer {
    /// Constant expressions folded (`"rm -rf /".split()`, `["rm"] + args`, f-strings, `"/" if c else "x"`, base64 of a constant) and names followed
    /// to their bindings in the file.
    static let helperFolding = #"""
        # Values followed before the rules judge them: constant expressions folded, names bound in the file, dangerous
        # functions used as values, destructive file operations on system paths and code strings run by code runners.

        # A part of a string only known at run time.
        UNKNOWN = "\x00"
        # Methods that change a list in place (followed on names bound to a literal list).
        LIST_CHANGES = {"append", "extend", "insert"}
        # Longest text (or argv) folding builds (x = y + y; y = z + z; ... doubles at each name), and widths in format strings.
        MAX_TEXT = 1 << 16
        WIDTH = re.compile(r"%[^a-zA-Z%]*[0-9*]|\{[^}]*:[^}]*[0-9]")
        # Attributes that are constants.
        CONSTANT_ATTRIBUTES = {"sys.executable": "python3", "os.sep": "/", "os.path.sep": "/", "os.curdir": ".", "os.pardir": "..", "posixpath.sep": "/"}
        CONSTANT_LAST = {name.rsplit(".", 1)[-1] for name in CONSTANT_ATTRIBUTES}
        # Candidate values kept per expression (a conditional expression has one per branch), and folding steps per file.
        MAX_CANDIDATES = 8
        FOLD_BUDGET = 4000
        # str methods a constant may go through (pure, bounded output).
        STR_METHODS = {"split", "rsplit", "join", "format", "replace", "strip", "lstrip", "rstrip", "lower", "upper", "decode", "encode", "removeprefix",
                       "removesuffix", "splitlines"}
        PATH_CONSTRUCTORS = {"pathlib.Path", "pathlib.PosixPath", "pathlib.PurePath", "pathlib.PurePosixPath", "os.path.join", "posixpath.join",
                             "os.path.expanduser", "posixpath.expanduser", "os.path.abspath", "os.path.normpath", "os.path.realpath", "os.fspath",
                             "os.fsencode", "os.fsdecode", "str"}
        # Decoders an obfuscated constant may go through (exec(base64.b64decode("..."))): folded when their input is constant.
        DECODERS = {"base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.urlsafe_b64decode", "base64.decodebytes", "base64.a85decode",
                    "base64.b85decode", "bytes.fromhex", "binascii.unhexlify", "binascii.a2b_base64", "codecs.decode", "shlex.split", "compile", "str", "bytes"}
        # Path methods that keep the path (as far as the rules care).
        PATH_SAME = {"expanduser", "resolve", "absolute", "joinpath", "with_name", "as_posix"}
        HOME_CALLS = {"pathlib.Path.home", "os.path.expanduser", "os.getenv", "os.environ.get", "os.environ.__getitem__"}


        class Folding:
            """Constant expressions folded and names followed to their bindings; mixed into Analysis."""

            def fold(self, node, depth=0):
                """The values a constant expression may take: a list of candidates, each a str (UNKNOWN marking parts known
                only at run time), a list of str or None (an argv), or None (not known)."""
                kind = type(node)
                if kind is ast.Constant:
                    value = node.value
                    if type(value) is str:
                        return [value]
                    if type(value) is bytes:
                        return [value.decode("utf-8", "replace")]
                    if type(value) in (int, float, bool):
                        return [str(value)]
                    return [None]
                if depth > 12 or self.budget <= 0:
                    return [None]
                self.budget -= 1
                depth += 1
                if kind is ast.List or kind is ast.Tuple:
                    results = [[]]
                    for element in node.elts:
                        if type(element) is ast.Starred:
                            options = [c if type(c) is list else None for c in self.fold(element.value, depth)]
                            results = [r + o if o is not None else r + [None] for r in results for o in options]
                        else:
                            options = [c if type(c) is str else None for c in self.fold(element, depth)]
                            results = [r + [o] for r in results for o in options]
                        results = results[:MAX_CANDIDATES]
                    return results
                if kind is ast.JoinedStr:
                    results = [""]
                    for part in node.values:
                        if type(part) is ast.FormattedValue:
                            options = self.fold(part.value, depth) if part.format_spec is None and part.conversion in (-1, 115) else [None]
                        else:
                            options = self.fold(part, depth)
                        results = [r + (o if type(o) is str else UNKNOWN) for r in results for o in options][:MAX_CANDIDATES]
                    return results
                if kind is ast.BinOp:
                    op = type(node.op)
                    if op is ast.Add or op is ast.Div:
                        left, right = self.fold(node.left, depth), self.fold(node.right, depth)
                        return [join_values(a, b, op is ast.Div) for a in left for b in right][:MAX_CANDIDATES]
                    if op is ast.Mod:
                        left = self.fold(node.left, depth)
                        right = self.fold(node.right, depth) if type(node.right) is not ast.Tuple else \
                            [tuple(self.fold(e, depth)[0] for e in node.right.elts)]
                        return [format_value(a, b) for a in left for b in right][:MAX_CANDIDATES]
                    return [None]
                if kind is ast.IfExp:
                    return (self.fold(node.body, depth) + self.fold(node.orelse, depth))[:MAX_CANDIDATES]
                if kind is ast.BoolOp:
                    return [c for value in node.values for c in self.fold(value, depth)][:MAX_CANDIDATES]
                if kind is ast.Subscript:
                    return self.fold_subscript(node, depth)
                if kind is ast.Name:
                    return self.fold_name(node, depth)
                if kind is ast.Call:
                    return self.fold_call(node, depth)
                if kind is ast.NamedExpr:
                    return self.fold(node.value, depth)
                if kind is ast.UnaryOp and type(node.op) is ast.USub and type(node.operand) is ast.Constant and type(node.operand.value) is int:
                    return [str(-node.operand.value)]
                if kind is ast.Attribute and node.attr in CONSTANT_LAST:
                    return [CONSTANT_ATTRIBUTES.get(self.qualified(node))]
                return [None]

            def fold_subscript(self, node, depth):
                if self.qualified(node.value) == "os.environ":
                    return ["~" if UNKNOWN not in key and key == "HOME" else None for key in self.fold(node.slice, depth) if type(key) is str] or [None]
                bases = self.fold(node.value, depth)
                index = node.slice
                try:
                    if type(index) is ast.Slice:
                        bounds = [None if b is None else int(self.fold(b, depth)[0]) for b in (index.lower, index.upper, index.step)]
                        return [b[slice(*bounds)] if b is not None else None for b in bases]
                    position = int(self.fold(index, depth)[0])
                    return [b[position] if b is not None else None for b in bases]
                except (TypeError, ValueError, IndexError):
                    return [None]

            def fold_name(self, node, depth):
                """The values a name is bound to in its scope (the innermost function binding it, else the module): every
                `name = value`, `for name in [...]`, and `name += value` / `name.append(...)` after them, followed, the worst
                of them counting; unknown when it is bound in no such way."""
                name = node.id
                bindings = self.bindings().get(name)
                if not bindings:
                    return [None]
                for scope in self.scopes(node.lineno):
                    entries = [(value, extra) for where, value, extra in bindings if where == scope]
                    if entries:
                        break
                else:
                    return [None]
                key = (name, scope)
                known = self.folded.get(key)
                if known is not None:
                    return known
                # A name whose value depends on itself (x = x + y) is unknown while it is being folded.
                self.folded[key] = [None]
                results = []
                for value, extra in entries:
                    if value is None:
                        results.append(None)
                        continue
                    if type(value) is ast.Starred:
                        results += [w for c in self.fold(value.value, depth) for w in (c if type(c) is list else [None])]
                        continue
                    for candidate in self.fold(value, depth):
                        results.append(candidate)
                        # Then with every later += / append / extend applied, in source order.
                        for operation, argument in extra:
                            options = self.fold(argument, depth)
                            if operation == "append" or operation == "insert":
                                word = [options[0] if type(options[0]) is str else None]
                                candidate = (candidate + word if operation == "append" else word + candidate) if type(candidate) is list else None
                            else:
                                candidate = join_values(candidate, options[0], False)
                        if extra:
                            results.append(candidate)
                results = self.folded[key] = results[:MAX_CANDIDATES] or [None]
                return results

            def scopes(self, line):
                """The functions whose body holds `line` (as (first line, last line)), innermost first, then None (the module)."""
                if self.functions is None:
                    functions = sorted((n.body[0].lineno, n.end_lineno) for n in self.others if type(n) in (ast.FunctionDef, ast.AsyncFunctionDef))
                    # Each function's enclosing one (bodies nest), found with a stack in one pass.
                    parents, stack = [], []
                    for index, (first, last) in enumerate(functions):
                        while stack and functions[stack[-1]][1] < first:
                            stack.pop()
                        parents.append(stack[-1] if stack else None)
                        stack.append(index)
                    self.functions, self.function_starts, self.function_parents = functions, [f[0] for f in functions], parents
                result = []
                index = bisect.bisect_right(self.function_starts, line) - 1
                while index is not None and index >= 0:
                    if self.functions[index][1] >= line:
                        result.append(self.functions[index])
                        index = self.function_parents[index]
                    else:
                        # Ended before the line: the line is in its enclosing function, if any, or a later sibling's parent.
                        index = self.function_parents[index]
                result.append(None)
                return result

            def bindings(self):
                """name -> [(scope, value node or None, [(operation, argument), ...])], from the file's assignments, for loops
                and list changes (built once, on first need)."""
                if self.bound is not None:
                    return self.bound
                bound = self.bound = {}
                # name.append(x), name.extend(xs), name.insert(0, x): changes to a list, in source order with the assignments.
                changes = [c for c in self.calls if type(c.func) is ast.Attribute and c.func.attr in LIST_CHANGES and type(c.func.value) is ast.Name and c.args]
                nodes = sorted(self.assignment_nodes + changes, key=lambda n: (n.lineno, n.col_offset)) if changes else self.assignment_nodes
                for node in nodes:
                    kind = type(node)
                    scope = self.scopes(node.lineno)[0]
                    if kind is ast.Assign:
                        for target in node.targets:
                            if type(target) is ast.Name:
                                bound.setdefault(target.id, []).append((scope, node.value, []))
                    elif kind is ast.For:
                        if type(node.target) is ast.Name:
                            # for p in ["/etc", "/usr"]: each element is a value of p.
                            bound.setdefault(node.target.id, []).append((scope, ast.Starred(node.iter), []))
                    else:
                        target = node.target if kind is ast.AugAssign else node.func.value
                        if type(target) is not ast.Name:
                            continue
                        change = "add" if kind is ast.AugAssign else node.func.attr
                        argument = node.value if kind is ast.AugAssign else node.args[-1]
                        if change == "insert" and not (type(node.args[0]) is ast.Constant and node.args[0].value == 0):
                            change = "append"
                        entries = [e for e in bound.get(target.id, ()) if e[0] == scope]
                        if not entries and kind is ast.AugAssign:
                            entries = [(scope, None, [])]
                            bound.setdefault(target.id, []).extend(entries)
                        for _, _, extra in entries:
                            extra.append((change, argument))
                return bound

            def fold_call(self, node, depth):
                func = node.func
                if type(func) is ast.Attribute and func.attr in STR_METHODS:
                    bases = self.fold(func.value, depth)
                    if all(b is None for b in bases):
                        # Not a constant's method: os.path.join, shlex.split below.
                        return self.fold_function(node, depth)
                    arguments = [self.fold(a, depth)[0] for a in node.args]
                    if func.attr == "join":
                        return [join_words(b, arguments[0] if arguments else None) for b in bases]
                    if any(type(a) is not str or UNKNOWN in a for a in arguments) or node.keywords or \
                            (func.attr == "format" and any(type(b) is str and WIDTH.search(b) for b in bases)) or \
                            (func.attr == "replace" and len(arguments) > 1 and max(len(b) if type(b) is str else 0 for b in bases) * len(arguments[1]) > MAX_TEXT):
                        return [None]
                    results = []
                    for base in bases:
                        try:
                            value = getattr(base, func.attr)(*arguments) if type(base) is str else None
                            results.append(value.decode("utf-8", "replace") if type(value) is bytes else value)
                        except Exception:
                            results.append(None)
                    return results
                if type(func) is ast.Attribute and func.attr in PATH_SAME:
                    bases = self.fold(func.value, depth)
                    if all(b is None for b in bases):
                        return self.fold_function(node, depth)
                    if func.attr == "joinpath":
                        for argument in node.args:
                            bases = [join_values(b, v, True) for b in bases for v in self.fold(argument, depth)][:MAX_CANDIDATES]
                    return bases if func.attr != "with_name" else [None]
                return self.fold_function(node, depth)

            def fold_function(self, node, depth):
                """A call of a function whose result is known from constant arguments: decoders, paths, the home directory."""
                name = self.qualified(node.func)
                if name == "chr" and len(node.args) == 1:
                    code = self.fold(node.args[0], depth)[0]
                    return [chr(int(code))] if type(code) is str and code.isdigit() and int(code) < 0x110000 else [None]
                if name in DECODERS:
                    return [decode(name, v, node.args[1:], self) for v in self.fold(node.args[0], depth)] if node.args else [None]
                if name == "os.path.expandvars":
                    values = self.fold(node.args[0], depth) if node.args else [None]
                    return [v.replace("${HOME}", "~").replace("$HOME", "~") if type(v) is str else None for v in values]
                if name in HOME_CALLS:
                    if name == "pathlib.Path.home":
                        return ["~"]
                    values = self.fold(node.args[0], depth) if node.args else [None]
                    if name == "os.path.expanduser":
                        return values
                    return ["~" if v == "HOME" else None for v in values]
                if name in PATH_CONSTRUCTORS:
                    results = [""]
                    for argument in node.args:
                        results = [join_values(r, v, True) for r in results for v in self.fold(argument, depth)][:MAX_CANDIDATES]
                    return results
                return [None]

            def command_text(self, node, as_argv=False):
                """A command's candidate values as shell text (a string as it is, an argv quoted, one candidate a line), and
                whether every part of it is known; (None, False) when nothing of it is known."""
                if node is None:
                    return None, False
                texts, known = [], True
                for candidate in self.fold(node):
                    if type(candidate) is str:
                        if as_argv:
                            candidate = [candidate]
                        else:
                            known = known and UNKNOWN not in candidate
                            texts.append(candidate.replace(UNKNOWN, '"$PY_ARG"'))
                            continue
                    if type(candidate) is list and candidate:
                        known = known and all(w is not None and UNKNOWN not in w for w in candidate)
                        texts.append(" ".join('"$PY_ARG"' if w is None else shlex.quote(w).replace(UNKNOWN, '"$PY_ARG"') for w in candidate))
                    else:
                        known = False
                # Lone surrogates (from "\udc80" in the source) would not read back as JSON: replaced.
                text = "\n".join(texts).encode("utf-8", "replace").decode("utf-8") if texts else None
                return text, known and bool(texts)


        def decode(name, value, rest, analysis):
            """A decoder applied to a constant (base64, hex, rot13, shlex.split); None when it fails or is not constant."""
            if type(value) is not str or UNKNOWN in value:
                return None
            try:
                if name == "shlex.split":
                    return shlex.split(value)
                if name in ("compile", "str", "bytes"):
                    return value
                if name == "codecs.decode":
                    encoding = analysis.fold(rest[0])[0] if rest else "utf-8"
                    if type(encoding) is not str or encoding.lower().replace("-", "_") not in ("rot13", "rot_13", "hex", "base64", "utf_8", "utf8"):
                        return None
                    data = codecs.decode(value if "rot" in encoding else value.encode("latin-1"), encoding)
                elif name == "bytes.fromhex":
                    data = bytes.fromhex(value)
                else:
                    import base64, binascii
                    function = {"binascii.unhexlify": binascii.unhexlify, "binascii.a2b_base64": binascii.a2b_base64}.get(name) or \
                        getattr(base64, name.split(".", 1)[1])
                    data = function(value.encode("latin-1"))
                return data.decode("utf-8", "replace") if type(data) is bytes else data
            except Exception:
                return None


        def join_values(a, b, path):
            """a + b (or a / b for paths) on folded values; a list joins only a list; None past MAX_TEXT."""
            if type(a) is list and type(b) is list:
                return a + b if len(a) + len(b) < MAX_TEXT else None
            if type(a) is list or type(b) is list:
                return None
            a = UNKNOWN if a is None else a
            b = UNKNOWN if b is None else b
            if len(a) + len(b) > MAX_TEXT:
                return None
            if path:
                return b if b.startswith(("/", "~")) else a + b if not a or a.endswith("/") else a + "/" + b
            return a + b


        def join_words(separator, words):
            if type(separator) is not str or (type(words) in (list, str) and len(separator) * len(words) > MAX_TEXT):
                return None
            if type(words) is not list:
                return None if type(words) is not str else separator.join(words) if type(separator) is str else None
            return separator.join(UNKNOWN if w is None else w for w in words)


        def format_value(template, values):
            # A width or precision ("%999999999s") could build any size of text: not folded.
            if type(template) is not str or WIDTH.search(template):
                return None
            try:
                return template % tuple(UNKNOWN if v is None else v for v in (values if type(values) is tuple else (values,)))
            except (TypeError, ValueError, KeyError, OverflowError):
                return None

        """#
}
