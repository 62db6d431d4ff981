import Glibc

/// What a path names, from `stat(2)`. Here rather than in the modules that ask: one that also
/// imports the CRI (and through it Foundation) sees Glibc's `stat` twice under member import
/// visibility, and a whole-module build refuses it.
package enum FileKind: Equatable, Sendable {
    case regular, directory, other

    /// nil when the path cannot be looked at (it does not exist, or a component is not searchable).
    package static func of(_ path: String) -> FileKind? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }
}
