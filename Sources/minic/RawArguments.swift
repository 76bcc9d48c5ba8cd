import Foundation

/// Command-line arguments as the bytes the program was given. Swift's `CommandLine.arguments`
/// (and so ArgumentParser) repairs bytes that are not UTF-8 into U+FFFD, which names no file:
/// `minic scan` opens paths by their raw bytes instead.
enum RawArguments {
    /// The raw bytes of each of `values` (parsed arguments, in command-line order): the next
    /// argument whose repaired text is the value; the value's own UTF-8 when none is.
    static func bytes(of values: [String]) -> [[UInt8]] {
        let argv = (0..<Int(CommandLine.argc)).map { index -> [UInt8] in
            guard let argument = CommandLine.unsafeArgv[index] else { return [] }
            return Array(UnsafeBufferPointer(start: argument, count: strlen(argument))).map { UInt8(bitPattern: $0) }
        }
        var next = 1
        return values.map { value in
            for index in next..<max(next, argv.count) where String(decoding: argv[index], as: UTF8.self) == value {
                next = index + 1
                return argv[index]
            }
            return Array(value.utf8)
        }
    }
}
