import Testing
@testable import Agent

@Suite struct StartupCodeReleaseTests {
    static func mapping(_ header: String, anonymous: Int = 0) -> String {
        """
        \(header)
        Size:              40960 kB
        Rss:               26000 kB
        Anonymous:         \(anonymous) kB
        VmFlags: rd ex mr mw me
        """
    }

    static let smaps = [
        mapping("55d0c0000000-55d0c0100000 r--p 00000000 fe:01 1234   /opt/ordinal/bin/ordinal"),
        mapping("55d0c0100000-55d0c2900000 r-xp 00100000 fe:01 1234   /opt/ordinal/bin/ordinal"),
        mapping("55d0c2900000-55d0c2980000 r--p 02900000 fe:01 1234   /opt/ordinal/bin/ordinal", anonymous: 512),
        mapping("55d0c2980000-55d0c2a00000 rw-p 02980000 fe:01 1234   /opt/ordinal/bin/ordinal", anonymous: 300),
        mapping("7f0000000000-7f0000100000 r-xp 00000000 fe:01 99     /usr/lib/x86_64-linux-gnu/libc.so.6"),
        mapping("7f0000200000-7f0000300000 rw-p 00000000 00:00 0", anonymous: 1024),
        mapping("7f0000400000-7f0000500000 r-xp 00000000 fe:01 77     /opt/ordinal/bin/ordinal-other"),
        mapping("7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0      [vdso]"),
    ].joined(separator: "\n")

    /// Its code; not its constants or data, not other files' code.
    @Test func onlyTheExecutablesOwnCodeIsReleased() {
        let ranges = StartupCodeRelease.codeRanges(smaps: Self.smaps, executable: "/opt/ordinal/bin/ordinal")
        #expect(ranges == [0x55d0_c010_0000 ..< 0x55d0_c290_0000])
    }

    @Test func aReplacedExecutableIsStillRecognised() {
        let smaps = Self.mapping("55d0c0100000-55d0c2900000 r-xp 00100000 fe:01 1234   /opt/ordinal/bin/ordinal (deleted)")
        #expect(StartupCodeRelease.codeRanges(smaps: smaps, executable: "/opt/ordinal/bin/ordinal").count == 1)
    }

    /// A code page someone wrote to (a debugger's breakpoint, a text relocation) exists only
    /// in this process: dropping it would lose it, so such a mapping stays.
    @Test func codeWithAPrivatelyModifiedPageStays() {
        let smaps = Self.mapping("55d0c0100000-55d0c2900000 r-xp 00100000 fe:01 1234   /x", anonymous: 4)
        #expect(StartupCodeRelease.codeRanges(smaps: smaps, executable: "/x").isEmpty)
    }

    @Test(arguments: ["", "garbage", "zz-yy r-xp 0 0:0 1 /x\nAnonymous: 0 kB", "200-100 r-xp 0 0:0 1 /x\nAnonymous: 0 kB",
                      "100-200 r-xp 0 0:0 1 /x", "100-200 r-xp\nAnonymous: 0 kB"])
    func malformedOrIncompleteEntriesAreSkipped(smaps: String) {
        #expect(StartupCodeRelease.codeRanges(smaps: smaps, executable: "/x").isEmpty)
    }

    /// The test process gives back its own code and keeps running it: the pages fault back in.
    @Test func releasingTheRunningProcessesCodeIsHarmless() {
        #expect(StartupCodeRelease.releaseExecutableText() > 0)
        #expect(StartupCodeRelease.codeRanges(smaps: Self.smaps, executable: "/opt/ordinal/bin/ordinal").count == 1)
    }
}
