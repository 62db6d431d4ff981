import ClusterState
import Testing

@Suite struct IntOrStringTests {
    @Test(arguments: [
        (IntOrString.int(3), 10, 3), (.string("50%"), 5, 2), (.string("100%"), 3, 3), (.string("0%"), 10, 0),
        (.string("33%"), 10, 3), (.string("25%"), 0, 0), (.string("1%"), 99, 0), (.string("150%"), 4, 6),
    ] as [(IntOrString, Int, Int?)] + [(.string("abc"), 10, nil), (.string("%"), 10, nil), (.string("-5%"), 10, nil)])
    func scalesPercentagesDown(_ value: IntOrString, _ total: Int, _ expected: Int?) {
        #expect(value.scaled(against: total) == expected)
    }

    @Test func plainNumberString_isReadAsACount() {
        // Kubernetes' GetScaledValueFromIntOrPercent refuses "7"; Ordinal reads it as 7.
        #expect(IntOrString.string("7").scaled(against: 10) == 7)
    }

    @Test func describesItsValue() {
        #expect(IntOrString.int(8080).description == "8080")
        #expect(IntOrString.string("web").description == "web")
    }
}
