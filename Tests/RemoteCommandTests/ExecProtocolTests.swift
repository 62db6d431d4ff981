import Testing
@testable import RemoteCommand

@Suite struct ExecStatusTests {
    let command = ["sh", "-c", "echo out; echo err >&2; exit 3"]

    @Test func successIsTheKubeletsJSON() {
        let body = ExecStatus.body(for: .exited(0), command: command, protocol: .v4)
        #expect(String(decoding: body, as: UTF8.self) == #"{"metadata":{},"status":"Success"}"#)
    }

    @Test func nonZeroExitCarriesTheExitCodeCause() {
        let body = ExecStatus.body(for: .exited(3), command: command, protocol: .v4)
        // `>` and `&` escaped as Go's json.Marshal does.
        #expect(String(decoding: body, as: UTF8.self) == #"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c echo out; echo err \u003e\u00262; exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#)
    }

    @Test func signalIsReportedAs128PlusSignal() {
        let body = String(decoding: ExecStatus.body(for: .signaled(9), command: ["sleep"], protocol: .v5), as: UTF8.self)
        #expect(body.contains(#"{"reason":"ExitCode","message":"137"}"#))
    }

    @Test func spawnFailureIsAnInternalError() {
        let body = String(decoding: ExecStatus.body(for: .failed("exec nope: No such file or directory"), command: ["nope"], protocol: .v4), as: UTF8.self)
        #expect(body == #"{"metadata":{},"status":"Failure","message":"Internal error occurred: error executing command in container: exec nope: No such file or directory","reason":"InternalError","details":{"causes":[{"message":"error executing command in container: exec nope: No such file or directory"}]},"code":500}"#)
    }

    @Test func olderProtocolsGetPlainTextOnlyOnFailure() {
        #expect(ExecStatus.body(for: .exited(0), command: command, protocol: .v3).isEmpty)
        let text = String(decoding: ExecStatus.body(for: .exited(2), command: ["false"], protocol: .v2), as: UTF8.self)
        #expect(text == "command terminated with non-zero exit code: error executing command [false], exit code 2")
    }

    @Test func jsonQuotingMatchesGo() {
        #expect(JSONText.quote("a\"b\\c\n\u{1}<>&") == #""a\"b\\c\n\u0001\u003c\u003e\u0026""#)
    }
}

@Suite struct ExecRequestTests {
    @Test func parsesKubectlsQuery() throws {
        let request = try ExecRequest.parse(target:
            "/api/v1/namespaces/default/pods/web-0/exec?command=sh&command=-c&command=echo+out%3B+exit+3&container=app&stderr=true&stdin=true&stdout=true")
        #expect(request == ExecRequest(namespace: "default", pod: "web-0", container: "app",
                                       command: ["sh", "-c", "echo out; exit 3"], stdin: true, stdout: true, stderr: true))
    }

    @Test func ttyTurnsStderrOffAndOneMeansTrue() throws {
        let request = try ExecRequest.parse(target: "/api/v1/namespaces/ns/pods/p/exec?command=sh&stdin=1&stdout=1&stderr=1&tty=1")
        #expect(request.tty && request.stdin && request.stdout && !request.stderr)
    }

    @Test func errors() {
        #expect(throws: ExecRequest.ParseError.notExec) { try ExecRequest.parse(target: "/api/v1/namespaces/ns/pods/p") }
        #expect(throws: ExecRequest.ParseError.notExec) { try ExecRequest.parse(target: "/api/v1/namespaces/ns/pods/p/attach?command=a") }
        #expect(throws: ExecRequest.ParseError.badRequest("you must specify at least one command for the container")) {
            try ExecRequest.parse(target: "/api/v1/namespaces/ns/pods/p/exec?stdout=true")
        }
        #expect(throws: ExecRequest.ParseError.badRequest("you must specify at least 1 of stdin, stdout, stderr")) {
            try ExecRequest.parse(target: "/api/v1/namespaces/ns/pods/p/exec?command=ls")
        }
        #expect(throws: ExecRequest.ParseError.self) { try ExecRequest.parse(target: "/api/v1/namespaces/ns/pods/p/exec?command=%zz&stdout=1") }
    }

    @Test func podPath() {
        #expect(ExecRequest.podPath("/api/v1/namespaces/default/pods/web-0")! == ("default", "web-0"))
        #expect(ExecRequest.podPath("/api/v1/namespaces/default/pods/web-0/exec") == nil)
    }
}

@Suite struct NegotiationTests {
    @Test func clientOrderWinsAmongAccepted() {
        // kubectl ≥ 1.30 on SPDY fallback offers v5 first; SPDY here serves v4 and below.
        let offered = ["v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"]
        #expect(RemoteCommandProtocol.negotiate(offered: offered, accepted: RemoteCommandProtocol.spdyServerProtocols) == .v4)
        #expect(RemoteCommandProtocol.negotiate(offered: ["v5.channel.k8s.io"], accepted: RemoteCommandProtocol.webSocketServerProtocols) == .v5)
        #expect(RemoteCommandProtocol.negotiate(offered: ["base64.channel.k8s.io, v4.channel.k8s.io"], accepted: RemoteCommandProtocol.webSocketServerProtocols) == .v4)
        #expect(RemoteCommandProtocol.negotiate(offered: ["v9.channel.k8s.io"], accepted: RemoteCommandProtocol.spdyServerProtocols) == nil)
    }
}

@Suite struct SPDYExecSessionTests {
    func syn(_ id: UInt32, _ type: String, fin: Bool = false) -> SPDYFrame {
        .synStream(SPDYSynStream(streamID: id, headers: ["streamtype": type], fin: fin))
    }

    @Test func startsOnceEveryExpectedStreamIsOpenAndRepliesToEach() {
        let request = ExecRequest(namespace: "d", pod: "p", command: ["cat"], stdin: true, stdout: true, stderr: true)
        var session = SPDYExecSession(request: request, protocol: .v4)
        #expect(session.expectedRoles == [.error, .stdin, .stdout, .stderr])
        var events: [ExecSessionEvent] = []
        for (id, type) in [(UInt32(1), "error"), (3, "stdin"), (5, "stdout")] {
            let out = session.receive(syn(id, type))
            #expect(out.send == [.synReply(streamID: id, headers: SPDYHeaders(), fin: false)])
            events += out.events
        }
        #expect(events.isEmpty)
        #expect(session.receive(syn(7, "stderr")).events == [.start])
    }

    @Test func ttyExpectsResizeNotStderr() {
        let request = ExecRequest(namespace: "d", pod: "p", command: ["sh"], stdin: true, stdout: true, stderr: false, tty: true)
        #expect(SPDYExecSession(request: request, protocol: .v4).expectedRoles == [.error, .stdin, .stdout, .resize])
        #expect(SPDYExecSession(request: request, protocol: .v2).expectedRoles == [.error, .stdin, .stdout])
    }

    @Test func relaysStdinResizeAndFin() {
        let request = ExecRequest(namespace: "d", pod: "p", command: ["sh"], stdin: true, stdout: true, stderr: false, tty: true)
        var session = SPDYExecSession(request: request, protocol: .v4)
        _ = session.receive(syn(1, "error"))
        _ = session.receive(syn(3, "stdin"))
        _ = session.receive(syn(5, "stdout"))
        #expect(session.receive(syn(7, "resize")).events == [.start])
        #expect(session.receive(.data(streamID: 3, payload: [1, 2], fin: false)).events == [.stdin([1, 2])])
        #expect(session.receive(.data(streamID: 7, payload: Array(#"{"Width":100,"#.utf8), fin: false)).events == [])
        #expect(session.receive(.data(streamID: 7, payload: Array(#""Height":30}"#.utf8) + [10], fin: false)).events
                == [.resize(TerminalSize(width: 100, height: 30))])
        #expect(session.receive(.data(streamID: 3, payload: [], fin: true)).events == [.stdinClosed])
        #expect(session.receive(.data(streamID: 3, payload: [9], fin: false)).events == [])
        #expect(session.receive(.ping(id: 1)).send == [.ping(id: 1)])
        #expect(session.receive(.ping(id: 2)).send == [])
    }

    @Test func rejectsBadStreamsAndCapsTheirNumber() {
        let request = ExecRequest(namespace: "d", pod: "p", command: ["true"], stdout: true, stderr: false)
        var session = SPDYExecSession(request: request, protocol: .v4)
        #expect(session.receive(syn(2, "error")).send == [.rstStream(streamID: 2, status: .protocolError)])
        _ = session.receive(syn(5, "error"))
        #expect(session.receive(syn(3, "stdout")).send == [.rstStream(streamID: 3, status: .protocolError)])
        #expect(session.receive(syn(7, "error")).send == [.rstStream(streamID: 7, status: .protocolError)])
        var id: UInt32 = 9
        for _ in 0..<(SPDYExecSession.maxStreams - 1) {
            _ = session.receive(syn(id, "unknown-\(id)"))
            id += 2
        }
        #expect(session.receive(syn(id, "stdout")).send == [.rstStream(streamID: id, status: .refusedStream)])
    }

    @Test func finishClosesOutputsThenWritesStatus() {
        let request = ExecRequest(namespace: "d", pod: "p", command: ["true"], stdin: false, stdout: true, stderr: true)
        var session = SPDYExecSession(request: request, protocol: .v4)
        _ = session.receive(syn(1, "error"))
        _ = session.receive(syn(3, "stdout"))
        _ = session.receive(syn(5, "stderr"))
        let big = [UInt8](repeating: 1, count: SPDYExecSession.maxDataChunk + 1)
        #expect(session.output(big, on: .stdout).count == 2)
        #expect(session.output([1], on: .stdin).isEmpty)
        #expect(session.finish(.exited(0)) == [
            .data(streamID: 3, payload: [], fin: true),
            .data(streamID: 5, payload: [], fin: true),
            .data(streamID: 1, payload: Array(#"{"metadata":{},"status":"Success"}"#.utf8), fin: false),
            .data(streamID: 1, payload: [], fin: true),
        ])
        #expect(session.finish(.exited(0)).isEmpty)
        #expect(session.output([1], on: .stdout).isEmpty)
    }

    @Test func goAwayBeforeTheEndAborts() {
        var session = SPDYExecSession(request: ExecRequest(namespace: "d", pod: "p", command: ["x"]), protocol: .v4)
        #expect(session.receive(.goAway(lastGoodStreamID: 0, status: 0)).events == [.abort("client sent GOAWAY")])
    }
}

@Suite struct WebSocketChannelTests {
    @Test func decodesDataAndV5Close() throws {
        #expect(try WebSocketChannelMessage.decode([0, 104, 105], protocol: .v5) == .data(channel: 0, payload: [104, 105]))
        #expect(try WebSocketChannelMessage.decode([255, 0], protocol: .v5) == .close(channel: 0))
        #expect(try WebSocketChannelMessage.decode([255, 0], protocol: .v4) == .data(channel: 255, payload: [0]))
        #expect(throws: WebSocketChannelMessage.DecodeError.empty) { try WebSocketChannelMessage.decode([], protocol: .v5) }
        #expect(throws: WebSocketChannelMessage.DecodeError.malformedClose(length: 3)) {
            try WebSocketChannelMessage.decode([255, 0, 1], protocol: .v5)
        }
        #expect(WebSocketChannelMessage.close(channel: 0).encode() == [255, 0])
        #expect(WebSocketChannelMessage.data(channel: 1, payload: [7]).encode() == [1, 7])
    }

    @Test func sessionRelaysAndFinishes() {
        let request = ExecRequest(namespace: "d", pod: "p", command: ["sh"], stdin: true, stdout: true, stderr: false, tty: true)
        var session = WebSocketExecSession(request: request, protocol: .v5)
        #expect(session.receive([0, 1, 2]) == [.stdin([1, 2])])
        #expect(session.receive([4] + Array(#"{"Width":80,"Height":24}"#.utf8)) == [.resize(TerminalSize(width: 80, height: 24))])
        #expect(session.receive([]) == [])
        #expect(session.receive([9, 9]) == [])
        #expect(session.receive([255, 0]) == [.stdinClosed])
        #expect(session.receive([0, 1]) == [])
        #expect(session.output([5], on: .stdout) == [[1, 5]])
        #expect(session.output([5], on: .stderr) == [])
        let final = session.finish(.exited(4))
        #expect(final.count == 1 && final[0].first == 3)
        #expect(String(decoding: final[0].dropFirst(), as: UTF8.self).contains(#""message":"4""#))
        #expect(session.finish(.exited(4)).isEmpty)
    }
}

@Suite struct TerminalSizeDecoderTests {
    @Test func splitsConcatenatedObjectsAcrossFeeds() {
        var decoder = TerminalSizeDecoder()
        #expect(decoder.feed(Array(#"{"Width":1"#.utf8)) == [])
        #expect(decoder.feed(Array("0,\"Height\":5}\n{\"width\":7,\"HEIGHT\":8}".utf8))
                == [TerminalSize(width: 10, height: 5), TerminalSize(width: 7, height: 8)])
    }

    @Test func ignoresGarbageAndBadValues() {
        var decoder = TerminalSizeDecoder(limit: 64)
        #expect(decoder.feed(Array(#"xx{"Width":99999999,"Height":1}{"Width":"a","Height":2}{"Height":3}"#.utf8)) == [])
        #expect(decoder.feed(Array(("{" + String(repeating: " ", count: 100) + "}").utf8)) == [])
        #expect(decoder.feed(Array(#"{"Width":3,"Height":4}"#.utf8)) == [TerminalSize(width: 3, height: 4)])
    }
}
