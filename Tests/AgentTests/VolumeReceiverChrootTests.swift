import Foundation
import Testing
@testable import Agent

/// `btrfs receive` runs on a stream that is verified only at its end: a stream naming a file
/// `../../escaped` stays inside the transfer's directory. Needs root and btrfs-progs (a
/// loop-mounted pool), as CI has.
@Suite(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: BtrfsPool.btrfs)))
struct VolumeReceiverChrootTests {
    @Test func aPathInTheStreamCannotLeaveTheIncomingDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-chroot-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pool = try BtrfsPool.open(dataDirectory: directory, sizeBytes: 256 << 20)
        defer { pool.close() }
        let incoming = pool.incoming("pv-escape")
        pool.makeDirectory(incoming)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: BtrfsPool.btrfs)
        process.arguments = VolumeReceiver.receiveArguments(into: incoming)
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: SendStream.escaping)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()

        #expect(!FileManager.default.fileExists(atPath: "\(pool.root)/incoming/escaped"), "the stream wrote outside \(incoming)")
        #expect(FileManager.default.fileExists(atPath: "\(incoming)/escaped"), "the path was confined to \(incoming)")
    }
}

/// A hand-made `btrfs send` stream (version 1): a subvolume, then a file `../../escaped`
/// in it with a few bytes — what a key holder could send instead of a real snapshot.
private enum SendStream {
    static var escaping: Data {
        let path = Array("../../escaped".utf8)
        var stream = Array("btrfs-stream\0".utf8) + le(UInt32(1))
        stream += command(1, [(15, Array("e1g1".utf8)), (1, Array(repeating: 7, count: 16)), (2, le(UInt64(7)))])  // SUBVOL
        stream += command(3, [(15, path), (3, le(UInt64(257)))])  // MKFILE
        stream += command(15, [(15, path), (18, le(UInt64(0))), (19, Array("outside\n".utf8))])  // WRITE
        stream += command(21, [])  // END
        return Data(stream)
    }

    /// length, command, CRC-32C (seed 0, not inverted, as btrfs computes it) of the command
    /// with its CRC field zero, then the attributes as type-length-value.
    static func command(_ kind: UInt16, _ attributes: [(UInt16, [UInt8])]) -> [UInt8] {
        let body = attributes.flatMap { le($0.0) + le(UInt16($0.1.count)) + $0.1 }
        let header = le(UInt32(body.count)) + le(kind)
        return header + le(crc32c(header + le(UInt32(0)) + body)) + body
    }

    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return crc
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
