/// Package managers told to remove what a system cannot run without: `apt-get remove libc6`, `apt purge '*'`,
/// `dpkg --purge --force-all coreutils`, `rpm -e --nodeps glibc`, `pacman -Rdd systemd`, `dnf remove kernel*`.
extension ShellAnalyzer {
    static let packageManagers: Set<String> = ["apt", "apt-get", "aptitude", "dpkg", "yum", "dnf", "microdnf", "rpm", "pacman", "zypper", "apk", "snap"]
    /// Packages without which a system does not boot, log in or install anything again.
    static let essentialPackages: Set<String> = [
        "libc6", "libc-bin", "glibc", "coreutils", "bash", "dash", "sh", "systemd", "systemd-sysv", "init", "dpkg", "apt", "rpm", "yum", "dnf", "pacman",
        "base-files", "base-passwd", "login", "passwd", "util-linux", "sudo", "libpam0g", "libpam-modules", "libpam-runtime", "shadow-utils", "filesystem",
        "kernel", "kernel-core", "linux", "linux-image-generic", "grub-pc", "grub2", "grub-efi-amd64", "openssh-server", "busybox", "musl", "tar", "gzip",
        "perl-base", "debconf", "sed", "grep", "findutils", "ncurses-base", "libselinux1", "zlib1g", "libgcc-s1", "libstdc++6", "e2fsprogs", "mount",
    ]

    /// Removal of an essential package, or of packages by a pattern that may match all of them, is high.
    static func packageRemoval(_ program: String, _ arguments: [String], line: Int, add: (String, Severity, Int, String) -> Void) {
        guard packageManagers.contains(program) else { return }
        let removes: Bool
        switch program {
        case "dpkg": removes = arguments.contains { ["-r", "-P", "--remove", "--purge"].contains($0) }
        case "rpm": removes = arguments.contains { $0 == "-e" || $0 == "--erase" || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("e")) }
        case "pacman": removes = arguments.contains { $0.hasPrefix("-R") || $0 == "--remove" }
        default: removes = arguments.contains { ["remove", "purge", "autoremove", "erase", "uninstall", "del"].contains($0) }
        }
        guard removes else { return }
        let packages = arguments.filter { !$0.hasPrefix("-") && !["remove", "purge", "erase", "uninstall", "del", "autoremove"].contains($0) }
        for package in packages {
            // `libc6:amd64`, `bash=5.1-2`, `kernel*`, `'*'`, `.*`, `^lib`: the name without arch, version or pattern.
            let name = String(package.prefix { !":=<>".contains($0) })
            let pattern = name.contains(where: { "*?[^$".contains($0) })
            let stem = String(name.prefix { !"*?[^$.".contains($0) })
            if essentialPackages.contains(name) || (pattern && (stem.isEmpty || essentialPackages.contains { $0.hasPrefix(stem) })) {
                add("sh-package-remove", .high, line, "\(program) removes \(package), which the system needs")
                return
            }
        }
    }
}
