import CSeccomp
import Foundation
import MinicCore

/// The seccomp filter the sandbox loads (through bubblewrap's `--seccomp FD`): every
/// system call is allowed except those that reach outside the sandbox or attack the
/// kernel — ptrace and cross-process memory access, io_uring, the kernel keyring, new
/// namespaces (`unshare`, `setns`, `clone` with `CLONE_NEWUSER`), mounts, module
/// loading, BPF and perf. They fail with EPERM; `clone3` fails with ENOSYS so that
/// the C library falls back to `clone`, whose flags the filter can see (as Flatpak does).
///
/// Owns its libseccomp context, released in `deinit`.
final class SeccompFilter {
    private let context: scmp_filter_ctx

    static let denied = [
        "ptrace", "process_vm_readv", "process_vm_writev", "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key",
        "request_key", "unshare", "setns", "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount", "bpf",
        "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "userfaultfd", "acct", "swapon",
        "swapoff", "reboot", "open_by_handle_at", "name_to_handle_at", "personality",
    ]

    /// - Throws: ``MinicError`` (internal) with the failing libseccomp call.
    init() throws(MinicError) {
        // https://man7.org/linux/man-pages/man3/seccomp_init.3.html: the default action applies to every call no rule matches.
        guard let context = seccomp_init(minic_scmp_act_allow()) else { throw .internal("seccomp_init failed") }
        self.context = context
        for name in Self.denied {
            let number = seccomp_syscall_resolve_name(name)
            // A call this kernel's headers do not know cannot be made either.
            guard number != __NR_SCMP_ERROR else { continue }
            try check(seccomp_rule_add_array(context, minic_scmp_act_errno(UInt16(EPERM)), number, 0, nil), "deny \(name)")
        }
        var newUser = minic_scmp_arg0_masked_eq(minic_clone_newuser(), minic_clone_newuser())
        try check(seccomp_rule_add_array(context, minic_scmp_act_errno(UInt16(EPERM)), seccomp_syscall_resolve_name("clone"), 1, &newUser), "deny clone(CLONE_NEWUSER)")
        let clone3 = seccomp_syscall_resolve_name("clone3")
        if clone3 != __NR_SCMP_ERROR { try check(seccomp_rule_add_array(context, minic_scmp_act_errno(UInt16(ENOSYS)), clone3, 0, nil), "clone3") }
    }

    deinit { seccomp_release(context) }

    /// Writes the compiled BPF program to `descriptor` (what `bwrap --seccomp` reads).
    func export(to descriptor: Int32) throws(MinicError) {
        try check(seccomp_export_bpf(context, descriptor), "export")
    }

    /// An unlinked temporary file holding the program, positioned at its start; the caller closes it.
    func exportToTemporaryFile() throws(MinicError) -> Int32 {
        var template = Array("/tmp/minic-seccomp.XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw .internal("seccomp: cannot make a temporary file: \(String(cString: strerror(errno)))") }
        _ = template.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { unlink($0) } }
        do throws(MinicError) {
            try export(to: descriptor)
        } catch {
            close(descriptor)
            throw error
        }
        lseek(descriptor, 0, SEEK_SET)
        return descriptor
    }

    private func check(_ result: Int32, _ what: String) throws(MinicError) {
        guard result == 0 else { throw .internal("seccomp: \(what): \(String(cString: strerror(-result)))") }
    }
}
