import ClusterState
import Testing

/// Quantities as the apiserver reads them, with Kubernetes' own values as the oracle.
struct ResourceQuantityTests {
    @Test(arguments: [
        ("1", 1000 as Int64), ("500m", 500), ("0.5", 500), ("1.5", 1500), ("2k", 2_000_000), ("1e3", 1_000_000),
        ("128Mi", 128 * 1_048_576 * 1000), ("1Gi", 1_073_741_824_000), ("16M", 16_000_000_000), (".25", 250),
        ("1Ki", 1_024_000), ("0.1m", 1), ("1E-3", 1), ("0", 0),
    ] as [(String, Int64)])
    func parsesAsTheAPIServerDoes(text: String, milli: Int64) {
        #expect(ResourceQuantity(text)?.milli == milli, "\(text)")
    }

    @Test(arguments: ["", "-1", "1.2.3", "Mi", "12Qi", "1 Gi", "1e", "9Ei", "99999999999999999999", "1e40", "+5", ".", "0x10", "１"])
    func refusesWhatItCannotRead(text: String) {
        #expect(ResourceQuantity(text) == nil, "\(text)")
    }

    @Test func wholeUnitsRoundUp() {
        #expect(ResourceQuantity("1500m")?.ceilingUnits == 2)
        #expect(ResourceQuantity("16Mi")?.ceilingUnits == Int64(16_777_216))
        #expect(ResourceQuantity("1")?.ceilingUnits == 1)
    }
}
