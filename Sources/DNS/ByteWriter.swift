/// An output buffer that compresses names (RFC 1035 §4.1.4) and can roll back a record that
/// turned out not to fit, compression table included.
///
/// Names are matched byte for byte, letter case included, so a compressed name decodes to
/// exactly the labels it was given.
struct ByteWriter {
    /// A pointer holds a 14-bit offset, so only names starting below this can be targets.
    static let pointerLimit = 0x4000

    private(set) var bytes: [UInt8] = []
    /// Where each name suffix written so far first starts.
    private var suffixOffsets: [ArraySlice<[UInt8]>: Int] = [:]
    /// The keys of ``suffixOffsets`` in the order they were added, for ``rollBack(to:)``.
    private var addedSuffixes: [ArraySlice<[UInt8]>] = []

    /// A point to return to: the length of the output and of the compression table.
    struct Checkpoint {
        fileprivate let byteCount: Int
        fileprivate let suffixCount: Int
    }

    var count: Int {
        bytes.count
    }

    var checkpoint: Checkpoint {
        Checkpoint(byteCount: bytes.count, suffixCount: addedSuffixes.count)
    }

    /// Forgets everything written since `checkpoint`, including the name suffixes that later
    /// names could otherwise point at.
    mutating func rollBack(to checkpoint: Checkpoint) {
        bytes.removeSubrange(checkpoint.byteCount...)
        while addedSuffixes.count > checkpoint.suffixCount {
            suffixOffsets[addedSuffixes.removeLast()] = nil
        }
    }

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        write(UInt16(truncatingIfNeeded: value >> 16))
        write(UInt16(truncatingIfNeeded: value))
    }

    mutating func write(_ values: [UInt8]) {
        bytes.append(contentsOf: values)
    }

    /// Overwrites bytes written earlier, such as the header or an RDLENGTH.
    mutating func patch(_ values: [UInt8], at offset: Int) {
        bytes.replaceSubrange(offset..<(offset + values.count), with: values)
    }

    /// Writes `name`, ending in a pointer to an earlier copy of its longest known suffix when
    /// `compress` is set. Either way its suffixes become targets for later names.
    mutating func write(_ name: DNSName, compress: Bool) {
        let labels = name.labels
        for index in labels.indices {
            let suffix = labels[index...]
            if compress, let target = suffixOffsets[suffix] {
                write(0xC000 | UInt16(truncatingIfNeeded: target))
                return
            }
            if bytes.count < Self.pointerLimit, suffixOffsets[suffix] == nil {
                suffixOffsets[suffix] = bytes.count
                addedSuffixes.append(suffix)
            }
            write(UInt8(truncatingIfNeeded: labels[index].count))
            write(labels[index])
        }
        write(UInt8(0))
    }
}
