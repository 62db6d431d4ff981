import Glibc

/// Appends one container's output to its log file, rotating by ``PodLogFiles``'s rule.
///
/// Write errors (a full disk) drop output rather than stall the supervisor: a pod must keep
/// running, and its lease checks must keep happening, when its logs cannot be kept.
final class LogSink {
    private let path: String
    private let rotatedPath: String
    private let limit: Int
    private var descriptor: Int32 = -1
    private var size = 0

    init(files: PodLogFiles, container: String, limit: Int = PodLogFiles.rotationLimit) {
        path = files.current(container)
        rotatedPath = files.rotated(container)
        self.limit = limit
        open()
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if PodLogFiles.shouldRotate(size: size, incoming: bytes.count, limit: limit) { rotate() }
        guard descriptor >= 0, let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
            size += written
        }
    }

    private func rotate() {
        if descriptor >= 0 { close(descriptor) }
        rename(path, rotatedPath)
        open()
    }

    private func open() {
        descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, PodLogFiles.fileMode)
        var status = stat()
        size = descriptor >= 0 && fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
    }
}
