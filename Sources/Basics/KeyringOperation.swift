/// A change to (or a look at) the cluster keys every agent holds, as serf's keyring does it:
/// install a new key everywhere, make it the primary that seals, then remove the old one —
/// at no point does an agent seal with a key another cannot open, so rotation has no outage.
package enum KeyringOperation: Sendable, Hashable {
    case list
    /// Add a 32-byte key that frames may open with.
    case install(key: [UInt8])
    /// Seal with this (installed) key from now on.
    case use(key: [UInt8])
    /// Forget a key that is not the primary.
    case remove(key: [UInt8])

    /// `list`, `install`, `use` or `remove`.
    package var name: String {
        switch self {
        case .list: "list"
        case .install: "install"
        case .use: "use"
        case .remove: "remove"
        }
    }

    /// The key the operation is about; nil for `list`.
    package var key: [UInt8]? {
        switch self {
        case .list: nil
        case .install(let key), .use(let key), .remove(let key): key
        }
    }
}
