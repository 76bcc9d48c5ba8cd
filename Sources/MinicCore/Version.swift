/// minic's version, printed by `minic --version`.
public enum MinicVersion {
    public static let string = "0.1.0"
}
