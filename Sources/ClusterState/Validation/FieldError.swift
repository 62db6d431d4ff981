/// One reason an object is invalid, shaped like Kubernetes' `field.Error` so the API can
/// answer a bad manifest the way an API server does: `spec.replicas: Invalid value: -1:
/// must be greater than or equal to 0`.
///
/// `description` follows `field.Error.Error()`: the path, the kind, the offending value
/// for the kinds that show one, and the detail when there is one.
package struct FieldError: Hashable, Sendable, CustomStringConvertible {
    /// Kubernetes' `field.ErrorType`, spelled as its `String()` prints it.
    package enum Kind: String, Hashable, Sendable, CaseIterable {
        case notFound = "Not found"
        case required = "Required value"
        case duplicate = "Duplicate value"
        case invalid = "Invalid value"
        case notSupported = "Unsupported value"
        case forbidden = "Forbidden"
        case tooLong = "Too long"

        /// The `StatusCause.reason` Kubernetes reports for this kind (`FieldValueInvalid`, …).
        package var reason: String {
            switch self {
            case .notFound: "FieldValueNotFound"
            case .required: "FieldValueRequired"
            case .duplicate: "FieldValueDuplicate"
            case .invalid: "FieldValueInvalid"
            case .notSupported: "FieldValueNotSupported"
            case .forbidden: "FieldValueForbidden"
            case .tooLong: "FieldValueTooLong"
            }
        }

        /// Kubernetes prints no value for these kinds, whatever the error carries.
        var omitsValue: Bool { self == .required || self == .forbidden || self == .tooLong }
    }

    /// The JSON-style path of the field: `spec.template.spec.containers[0].name`.
    package var path: String
    package var kind: Kind
    /// The offending value as Kubernetes prints it (`-1`, `"Sometimes"`,
    /// `map[string]string{"app":"x"}`); nil where Kubernetes leaves it out.
    package var value: String?
    package var detail: String

    package init(path: String, kind: Kind, value: String?, detail: String) {
        self.path = path
        self.kind = kind
        self.value = kind.omitsValue ? nil : value
        self.detail = detail
    }

    package var description: String {
        var text = path + ": " + kind.rawValue
        if let value { text += ": " + value }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }
}

extension FieldError {
    /// A bad value, rendered the way Kubernetes' `ErrorBody` prints each Go type.
    package enum Value: Hashable, Sendable {
        /// A number, printed bare: `-1`.
        case int(Int)
        /// A string, quoted as Go's `%q` does: `"Sometimes"`.
        case string(String)
        /// A label map, as Go's `%#v` prints it: `map[string]string{"app":"x"}`.
        case labels([String: String]?)
        /// A structure already rendered (as JSON, the way current API servers print one).
        case rendered(String)

        package var text: String {
            switch self {
            case .int(let number): String(number)
            case .string(let text): goQuoted(text)
            case .labels(let labels): goMapLiteral(labels)
            case .rendered(let text): text
            }
        }

        /// An `IntOrString` as Kubernetes prints one: a number bare, a string quoted.
        package static func intOrString(_ value: IntOrString) -> Value {
            switch value {
            case .int(let number): .int(number)
            case .string(let text): .string(text)
            }
        }
    }

    static func invalid(_ path: FieldPath, _ value: Value, _ detail: String) -> FieldError {
        FieldError(path: path.description, kind: .invalid, value: value.text, detail: detail)
    }

    static func required(_ path: FieldPath, _ detail: String = "") -> FieldError {
        FieldError(path: path.description, kind: .required, value: nil, detail: detail)
    }

    /// `Unsupported value: "x": supported values: "A", "B"`.
    static func notSupported(_ path: FieldPath, _ value: String, supported: [String]) -> FieldError {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(goQuoted).joined(separator: ", ")
        return FieldError(path: path.description, kind: .notSupported, value: goQuoted(value), detail: detail)
    }

    static func duplicate(_ path: FieldPath, _ value: Value) -> FieldError {
        FieldError(path: path.description, kind: .duplicate, value: value.text, detail: "")
    }

    static func notFound(_ path: FieldPath, _ value: Value) -> FieldError {
        FieldError(path: path.description, kind: .notFound, value: value.text, detail: "")
    }

    static func forbidden(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(path: path.description, kind: .forbidden, value: nil, detail: detail)
    }

    /// `field.TooLong`: the value is never printed, only the limit.
    static func tooLong(_ path: FieldPath, maxBytes: Int) -> FieldError {
        let unit = maxBytes == 1 ? "byte" : "bytes"
        return FieldError(path: path.description, kind: .tooLong, value: nil, detail: "may not be more than \(maxBytes) \(unit)")
    }
}

extension StatusError {
    /// The 422 `Invalid` answer for these field errors, as `apierrors.NewInvalid` builds it:
    /// identical messages are reported once, in their first position.
    package static func invalid(_ kind: ObjectKind, _ name: String, _ errors: [FieldError]) -> StatusError {
        var seen: Set<String> = []
        let causes = errors.map(\.description).filter { seen.insert($0).inserted }
        return invalid(kind, name, causes)
    }
}

/// A field path under construction; `description` is the dotted form Kubernetes prints.
struct FieldPath: CustomStringConvertible {
    let description: String

    init(_ root: String) {
        description = root
    }

    func child(_ names: String...) -> FieldPath {
        FieldPath(([description] + names).filter { !$0.isEmpty }.joined(separator: "."))
    }

    func index(_ position: Int) -> FieldPath {
        FieldPath(description + "[" + String(position) + "]")
    }
}
