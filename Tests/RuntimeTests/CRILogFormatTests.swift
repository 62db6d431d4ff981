import Runtime
import Testing

/// containerd's CRI log lines turned back into what the container wrote.
struct CRILogFormatTests {
    @Test(arguments: [
        ("2026-12-07T19:21:25.1Z stdout F hello\n", "hello\n"),
        ("2026-12-07T19:21:25.1Z stdout P hel\n2026-12-07T19:21:25.2Z stdout F lo\n", "hello\n"),
        ("2026-12-07T19:21:25.1Z stderr F oops: a b  c\n2026-12-07T19:21:25.2Z stdout F \n", "oops: a b  c\n\n"),
        ("2026-12-07T19:21:25.1Z stdout F", "\n"),
        ("garbage line\n", "garbage line\n"),
        ("", ""),
    ])
    func decodes(text: String, output: String) {
        #expect(CRILogFormat.decode(text) == output)
    }
}
