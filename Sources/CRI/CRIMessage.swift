import SwiftProtobuf

extension SwiftProtobuf.Message {
    /// A message built in place, as SwiftProtobuf's `with`. Declared here so modules that
    /// build CRI messages import only `CRI`: importing SwiftProtobuf (and with it Foundation)
    /// into such a module makes Glibc's `stat` ambiguous there under member import visibility.
    package static func build(_ populate: (inout Self) throws -> Void) rethrows -> Self {
        try with(populate)
    }
}
