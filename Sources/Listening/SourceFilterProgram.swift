#if canImport(Glibc)
import Glibc
#endif

/// A classic BPF socket filter that drops packets from some IPv4 source addresses: attached
/// to a listening TCP socket, it runs on each SYN (and handshake-completing ACK) before the
/// kernel queues a connection, so an address the listener would refuse anyway never costs
/// an accept, a close and a reset, and its client's connect waits for the kernel's SYN
/// retransmission (1 s, 3 s, …) instead of reopening at once.
///
/// The program loads the source address from the network header (`SKF_NET_OFF`, which
/// socket filters on TCP sockets may read) and compares it with each blocked address:
///
/// ```
/// ld  [net+12]            ; IPv4 source
/// jeq #a1, 0, 1  ; ret #0 ; dropped
/// jeq #a2, 0, 1  ; ret #0
/// ret #0xffffffff         ; anyone else: the whole packet
/// ```
package struct SourceFilterProgram: Sendable, Equatable {
    /// One `struct sock_filter`.
    package struct Instruction: Sendable, Equatable {
        package var code: UInt16
        package var jt: UInt8
        package var jf: UInt8
        package var k: UInt32
    }

    /// At most this many addresses (2 instructions each), well inside the kernel's 4,096.
    package static let maxAddresses = 1_000

    package let instructions: [Instruction]

    /// - Parameter addresses: IPv4 addresses in host byte order; past ``maxAddresses`` the
    ///   rest are let through.
    package init(blocking addresses: [UInt32]) {
        let ldAbsWord: UInt16 = 0x20, jeqK: UInt16 = 0x15, retK: UInt16 = 0x06
        let skfNetOffset: Int32 = -0x100000
        var instructions = [Instruction(code: ldAbsWord, jt: 0, jf: 0, k: UInt32(bitPattern: skfNetOffset + 12))]
        for address in addresses.prefix(Self.maxAddresses) {
            instructions.append(Instruction(code: jeqK, jt: 0, jf: 1, k: address))
            instructions.append(Instruction(code: retK, jt: 0, jf: 0, k: 0))
        }
        instructions.append(Instruction(code: retK, jt: 0, jf: 0, k: UInt32.max))
        self.instructions = instructions
    }

    /// An IPv4 address in dotted form, in host byte order; nil for anything else.
    package static func ipv4(_ text: String) -> UInt32? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return UInt32(bigEndian: address.s_addr)
    }

    /// Replaces the filter of socket `descriptor` (`SO_ATTACH_FILTER`).
    /// - Returns: 0, or the `errno` the kernel answered.
    package func attach(to descriptor: Int32) -> Int32 {
        var filters = instructions
        return filters.withUnsafeMutableBytes { filterBytes -> Int32 in
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            var program = [UInt8](repeating: 0, count: 16)
            program.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: UInt16(instructions.count), toByteOffset: 0, as: UInt16.self)
                raw.storeBytes(of: UInt(bitPattern: filterBytes.baseAddress), toByteOffset: 8, as: UInt.self)
            }
            let attachFilter: Int32 = 26  // SO_ATTACH_FILTER
            let result = setsockopt(descriptor, SOL_SOCKET, attachFilter, program, socklen_t(program.count))
            return result == 0 ? 0 : errno
        }
    }
}
