/// A process as its keeper reports it: in a `proc` frame on connection, or an `exited` frame.
struct KeptProcess: Sendable, Hashable {
    /// `c<container index>.<attempt>` for containers, `p<number>` for exec probes.
    var id: String
    var pid: Int32
    /// Wall-clock seconds.
    var started: Int64
    /// The wait status once the keeper reaped it; nil while it runs.
    var status: Int32?
    var finished: Int64

    /// `proc <id> <pid> <started> <running> <status> <finished>`.
    init?(proc frame: KeeperFrame) {
        guard frame.kind == "proc", frame.fields.count == 7, let pid = Int32(frame[2]), let started = Int64(frame[3]),
              let status = Int32(frame[5]), let finished = Int64(frame[6]) else { return nil }
        self.init(id: frame[1], pid: pid, started: started, status: frame[4] == "1" ? nil : status, finished: finished)
    }

    /// `exited <id> <pid> <status> <finished>`.
    init?(exited frame: KeeperFrame) {
        guard frame.kind == "exited", frame.fields.count == 5, let pid = Int32(frame[2]), let status = Int32(frame[3]),
              let finished = Int64(frame[4]) else { return nil }
        self.init(id: frame[1], pid: pid, started: 0, status: status, finished: finished)
    }

    init(id: String, pid: Int32, started: Int64, status: Int32?, finished: Int64) {
        self.id = id
        self.pid = pid
        self.started = started
        self.status = status
        self.finished = finished
    }

    /// The container index and attempt of a container's process id.
    var container: (index: Int, attempt: Int)? {
        guard id.hasPrefix("c") else { return nil }
        let parts = id.dropFirst().split(separator: ".")
        guard parts.count == 2, let index = Int(parts[0]), let attempt = Int(parts[1]), index >= 0, attempt >= 0 else { return nil }
        return (index, attempt)
    }

    static func containerID(index: Int, attempt: Int) -> String { "c\(index).\(attempt)" }
}
