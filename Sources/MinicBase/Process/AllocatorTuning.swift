import CLibcShims

/// Process-wide allocator settings for minic's own executables (a library user's
/// process keeps its own).
public enum AllocatorTuning {
    /// Stops glibc from returning the top of the heap to the kernel after every
    /// free and from raising the mmap threshold as it goes: Swift's allocation
    /// pattern otherwise shrinks and regrows the heap thousands of times a second,
    /// each regrowth paying page faults. Measured with Benchmarks/run-queue: a
    /// claim went from 129 µs to 54 µs.
    public static func apply() {
        _ = minic_tune_allocator(256 << 20, 16 << 20)
    }
}
