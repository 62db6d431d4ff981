/// The stable name of an agent (`--name`), the identity every core keys its state by.
///
/// Names outlive addresses: an agent restarted on another port keeps its name, and a name
/// is what pods are scheduled to. Comparable so that cores can iterate deterministically.
package struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    package let name: String

    package init(_ name: String) {
        self.name = name
    }

    package static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.name < rhs.name
    }

    package var description: String { name }
}
