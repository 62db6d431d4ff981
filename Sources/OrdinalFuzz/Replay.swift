#if !FUZZING
import Basics
import Foundation

/// The fuzz binary of a normal build, where libFuzzer is absent: replays corpus files (and
/// crash files) through the same targets, then runs a bounded number of seeded mutations
/// of them, so CI exercises the targets without the sanitizer build; and writes the
/// generated part of the seed corpus.
///
///     OrdinalFuzz replay <target> [--mutations N] [--seed S] <file or directory>...
///     OrdinalFuzz seeds <corpus root>
@main
struct Replay {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        switch (arguments.first, arguments.count) {
        case ("seeds", 2):
            try Seeds.write(into: URL(fileURLWithPath: arguments[1]))
        case ("replay", 3...):
            guard let target = FuzzTarget(rawValue: arguments[1]) else { usage() }
            arguments.removeFirst(2)
            let mutations = option("--mutations", in: &arguments) ?? 0
            var random = SplitMix64(seed: option("--seed", in: &arguments).map(UInt64.init) ?? 1)
            let inputs = try arguments.flatMap(files).map { try Array(Data(contentsOf: $0)) }
            for input in inputs { target.run(input) }
            for _ in 0..<mutations {
                var input = inputs.randomElement(using: &random) ?? []
                for _ in 0..<Int.random(in: 1...4, using: &random) { mutate(&input, donors: inputs, using: &random) }
                target.run(input)
            }
            print("\(target.rawValue): \(inputs.count) corpus files and \(mutations) mutations, no crash")
        default:
            usage()
        }
    }

    static func usage() -> Never {
        print("usage: OrdinalFuzz replay <\(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|"))> [--mutations N] [--seed S] <path>...")
        print("       OrdinalFuzz seeds <corpus root>")
        exit(2)
    }

    static func option(_ name: String, in arguments: inout [String]) -> Int? {
        guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { return nil }
        guard let value = Int(arguments[at + 1]), value >= 0 else { usage() }
        arguments.removeSubrange(at...at + 1)
        return value
    }

    /// The file, or the files directly inside the directory, sorted so a replay is repeatable.
    static func files(_ path: String) throws -> [URL] {
        let url = URL(fileURLWithPath: path)
        guard (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true else { return [url] }
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .sorted { $0.path < $1.path }
    }

    /// A few of libFuzzer's own mutations: bit flips, random and boundary bytes, inserts,
    /// deletions, truncation and splices from another input.
    static func mutate(_ bytes: inout [UInt8], donors: [[UInt8]], using random: inout SplitMix64) {
        let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0 where !bytes.isEmpty: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &random)
        case 2 where !bytes.isEmpty: bytes[at] = [0, 1, 0x7F, 0x80, 0xFF, 0x22, 0x7B, 0x5B].randomElement(using: &random)!
        case 3: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
        case 4 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
        case 5: bytes.removeLast(bytes.count - at)
        default:
            guard let donor = donors.randomElement(using: &random), !donor.isEmpty else { return }
            let start = Int.random(in: 0..<donor.count, using: &random)
            let end = min(donor.count, start + Int.random(in: 1...64, using: &random))
            bytes.replaceSubrange(at..<min(bytes.count, at + end - start), with: donor[start..<end])
        }
    }
}
#endif
