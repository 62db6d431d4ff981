import Foundation
import Testing
@testable import Runtime

@Suite struct PodLogFilesTests {
    @Test func readingTailsAcrossTheRotatedFile() throws {
        let directory = try TemporaryDirectory()
        let files = PodLogFiles(directory: directory.path)
        // As the keeper leaves them with a limit of 16 bytes.
        try Data("one\ntwo\nthree\n".utf8).write(to: URL(fileURLWithPath: files.rotated("app")))
        try Data("four\nfive\n".utf8).write(to: URL(fileURLWithPath: files.current("app")))
        #expect(try files.read(container: "app") == "four\nfive\n")
        #expect(try files.read(container: "app", tailLines: 1) == "five\n")
        #expect(try files.read(container: "app", tailLines: 3) == "three\nfour\nfive\n")
        #expect(try files.read(container: "app", tailLines: 0) == "")
        #expect(throws: (any Error).self) { try files.read(container: "missing") }
    }
}

/// A fresh directory under /tmp, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = "/tmp/ordinal-runtime-tests-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func subdirectory(_ name: String) throws -> String {
        let subdirectory = "\(path)/\(name)"
        try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: true)
        return subdirectory
    }
}
