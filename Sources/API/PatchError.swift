/// Why a PATCH body could not be applied to the stored object.
///
/// The apiserver separates two cases, and so do we: a patch that is malformed in itself
/// (a strategic merge patch with a bad directive, a JSON patch that is not a list of
/// operations) is answered 400 `BadRequest`; a well-formed JSON patch whose operation fails
/// against the object (a `test` that does not match, a path that is not there) is answered
/// 422 `Invalid`, as `jsonPatcher.applyJSPatch` in k8s.io/apiserver does.
struct PatchError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable {
        /// The patch itself is invalid: 400.
        case malformed
        /// The patch is valid but cannot be applied to this object: 422.
        case failed
        /// The patch has more operations, or would copy more bytes, than the server takes:
        /// 413, as the apiserver's `RequestEntityTooLarge`.
        case tooLarge
    }

    var kind: Kind
    var message: String

    static func malformed(_ message: String) -> PatchError {
        PatchError(kind: .malformed, message: message)
    }

    static func tooLarge(_ message: String) -> PatchError {
        PatchError(kind: .tooLarge, message: message)
    }

    static func failed(_ message: String) -> PatchError {
        PatchError(kind: .failed, message: message)
    }

    var description: String { message }
}
