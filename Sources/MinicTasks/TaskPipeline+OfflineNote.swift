import MinicCore

extension TaskPipeline {
    /// Why a task run now would be answered offline although a model seems wanted (`ANTHROPIC_BASE_URL` set,
    /// `ANTHROPIC_API_KEY` not), for the CLI to say before it runs one; `nil` when nothing needs saying.
    /// The same note is logged under `system` when the snapshot is built.
    public func offlineNote() async throws(MinicError) -> String? {
        let snapshots = self.snapshots
        return try await Blocking.run { () throws(MinicError) in try snapshots.current().offlineNote }
    }
}
