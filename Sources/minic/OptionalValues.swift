/// Options whose value may be left out (`--from-failures [N]`): ArgumentParser needs a value, so a bare one gets its
/// default before parsing. Arguments after `--` are left alone.
enum OptionalValues {
    static let defaults = ["--from-failures": "20"]

    static func expand(_ arguments: [String]) -> [String] {
        var expanded: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            expanded.append(argument)
            index += 1
            if argument == "--" {
                expanded += arguments[index...]
                break
            }
            if let value = defaults[argument], index == arguments.count || Int(arguments[index]) == nil { expanded.append(value) }
        }
        return expanded
    }
}
