import Foundation
import Testing
@testable import Runtime

/// Files and directories made with their final mode (issue 26), whatever was there before.
@Suite struct PrivateFileTests {
    private func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    @Test func writeReplacesAWorldReadableFileWithAPrivateOneAndLeavesNoTemporary() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/kubeconfig"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try PrivateFile.write(Array("token: s3cret\n".utf8), to: path)
        #expect(mode(path) == 0o600)
        #expect(FileManager.default.contents(atPath: path) == Data("token: s3cret\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["kubeconfig"])
    }

    @Test func writeIntoAMissingDirectoryNamesIt() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/missing/keyring"
        do {
            try PrivateFile.write([1, 2, 3], to: path)
            Issue.record("wrote into a missing directory")
        } catch {
            #expect(error.description.contains(path) && error.description.contains("No such file or directory"), "\(error)")
        }
    }

    @Test func directoriesGetTheirModeAndParentsAreMadePrivate() throws {
        let directory = try TemporaryDirectory()
        try PrivateFile.makeDirectory("\(directory.path)/data/pods/uid/logs", mode: 0o750)
        #expect(mode("\(directory.path)/data") == 0o700)
        #expect(mode("\(directory.path)/data/pods/uid") == 0o700)
        #expect(mode("\(directory.path)/data/pods/uid/logs") == 0o750)
        try PrivateFile.makeDirectory("\(directory.path)/data/pods/uid/logs", mode: 0o700)
        #expect(mode("\(directory.path)/data/pods/uid/logs") == 0o750, "an existing directory is left as it is")
    }

    @Test func createMakesAnEmptyFileOnceAndLeavesAnExistingOne() throws {
        let directory = try TemporaryDirectory()
        let path = "\(directory.path)/volume-pool.img"
        try PrivateFile.create(path, mode: 0o600)
        #expect(mode(path) == 0o600)
        try Data("kept".utf8).write(to: URL(fileURLWithPath: path))
        try PrivateFile.create(path, mode: 0o600)
        #expect(FileManager.default.contents(atPath: path) == Data("kept".utf8))
    }
}
