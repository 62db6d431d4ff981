package import Consensus

/// Why the durable store could not open, read or write. Every error names the database file,
/// because an operator reading `data/ordinal.db: entry 17 checksum mismatch (…)` in a log
/// should know which disk to look at without the surrounding context.
package struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, independent of the file.
    package enum Problem: Hashable, Sendable {
        /// SQLite refused an operation; `code` is its extended result code.
        case sqlite(code: Int32, message: String, operation: String)
        /// The file is not an SQLite database at all (`SQLITE_NOTADB`).
        case notADatabase
        /// SQLite found its own structures damaged (`SQLITE_CORRUPT`, a failed `quick_check`).
        case malformed(String)
        /// An SQLite database, but not one Ordinal wrote.
        case notOrdinal(applicationID: Int32, schemaVersion: Int32)
        /// An Ordinal database of a schema this build does not know (written by a newer one).
        case unsupportedSchemaVersion(found: Int32, supported: Int32)
        /// A row whose content no longer matches the checksum written with it.
        case checksumMismatch(Record, stored: UInt32, computed: UInt32)
        /// The log skips from `after` to `next`: entries were lost.
        case logGap(after: UInt64, next: UInt64)
        /// A row that is present but cannot be what Ordinal wrote.
        case invalidRow(Record, reason: String)
        /// A write that Raft's log rules refuse (a gap, a stale snapshot, …).
        case rejected(Raft.StorageError)
        /// ``SQLiteRaftStorage/bootstrap(voters:learners:)`` on a store that already holds state.
        case alreadyInitialized(lastIndex: UInt64, term: UInt64)
        /// Committed entries handed to the state machine out of order.
        case applyGap(applied: UInt64, got: UInt64)
        /// State-machine snapshot bytes that do not decode.
        case invalidSnapshotData(KVCodingError)
        /// A committed entry this build cannot apply (newer format, malformed): the state
        /// machine stops before it rather than skip it.
        case undecodableEntry(index: UInt64, LogDecodingError)
    }

    /// The row a problem was found in.
    package enum Record: Hashable, Sendable, CustomStringConvertible {
        case entry(UInt64)
        case hardState
        case snapshot
        case meta(String)
        /// A cluster object: `kind/namespace/name`.
        case object(String)

        package var description: String {
            switch self {
            case .entry(let index): "entry \(index)"
            case .hardState: "hard state"
            case .snapshot: "snapshot"
            case .meta(let key): "meta '\(key)'"
            case .object(let name): "object \(name)"
            }
        }
    }

    /// The database file, as given when it was opened.
    package var path: String
    package var problem: Problem

    package init(path: String, _ problem: Problem) {
        self.path = path
        self.problem = problem
    }

    package var description: String {
        "\(path): " + {
            switch problem {
            case .sqlite(let code, let message, let operation):
                return "SQLite error \(code) (\(message)) during \(operation)"
            case .notADatabase:
                return "file is not a database"
            case .malformed(let detail):
                return "database disk image is malformed (\(detail))"
            case .notOrdinal(let applicationID, let schemaVersion):
                return "not an Ordinal database (application id \(hex(UInt32(bitPattern: applicationID))), "
                    + "schema version \(schemaVersion))"
            case .unsupportedSchemaVersion(let found, let supported):
                return "unsupported schema version \(found) (this build reads version \(supported))"
            case .checksumMismatch(let record, let stored, let computed):
                return "\(record) checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))"
            case .logGap(let after, let next):
                return "log has a gap between \(after) and \(next)"
            case .invalidRow(let record, let reason):
                return "\(record) is invalid: \(reason)"
            case .rejected(let error):
                return "write refused: \(error)"
            case .alreadyInitialized(let lastIndex, let term):
                return "cannot bootstrap a store that already holds state (last index \(lastIndex), term \(term))"
            case .applyGap(let applied, let got):
                return "state machine applied through \(applied) was handed entry \(got)"
            case .invalidSnapshotData(let error):
                return "state-machine snapshot does not decode: \(error)"
            case .undecodableEntry(let index, let error):
                return "committed entry \(index) cannot be applied, so applying stops before it: \(error)"
            }
        }()
    }

    /// The read protocol (``RaftStorage``) speaks ``Raft/StorageError``; a failure of the
    /// backing store is its `.io` case, carrying this error's full description.
    var asRaftError: Raft.StorageError {
        if case .rejected(let error) = problem { return error }
        return .io(description)
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
