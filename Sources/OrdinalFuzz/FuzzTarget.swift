#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The libFuzzer targets of issues 14 and 26, one binary for all: `ORDINAL_FUZZ_TARGET` names
/// the one a fuzzer run drives, so they share one sanitizer build. Each takes any bytes,
/// and traps only on a bug (see each target's invariants); `scripts/fuzz` runs them.
enum FuzzTarget: String, CaseIterable {
    case peer, manifest, patch, dns
    case dnsTCP = "dns-tcp"
    case httpHead = "http-head"

    func run(_ data: [UInt8]) {
        switch self {
        case .peer: PeerTarget.run(data)
        case .manifest: ManifestTarget.run(data)
        case .patch: PatchTarget.run(data)
        case .dns: DNSTarget.run(data)
        case .httpHead: HTTPHeadTarget.run(data)
        case .dnsTCP: DNSTCPTarget.run(data)
        }
    }
}

#if FUZZING
/// The target `ORDINAL_FUZZ_TARGET` names, read once.
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["ORDINAL_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set ORDINAL_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue)), not '\(name)'")
    }
    return target
}()

/// libFuzzer's entry point, called once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    selectedTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's driver (compiler-rt's `FuzzerDriver.cpp`), which its own `main` calls.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// The executable's entry point. SwiftPM links debug executables with `main` aliased to
/// `<module>_main` (so tests can link them), which hides libFuzzer's `main`: this stands in
/// for it and runs libFuzzer's driver with the command line.
@_cdecl("OrdinalFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzz)
}
#endif
