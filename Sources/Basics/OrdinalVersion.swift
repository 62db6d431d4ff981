/// The version agents publish, the CLI prints and the API's `/version` carries.
package enum OrdinalVersion {
    package static let current = "0.1.0"
}
