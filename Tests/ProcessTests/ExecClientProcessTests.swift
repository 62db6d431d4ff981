import Foundation
import Testing

/// `ordinal exec` against an agent that sends the command's first output in the same TCP
/// segment as its `101` (the hosting agent often does, when the command writes at once):
/// those bytes are the start of the output, not leftovers of the HTTP response.
@Suite(.serialized) struct ExecClientProcessTests {
    /// One connection: reads the upgrade request, then answers with the `101`, a stdout
    /// frame, a status frame and a close frame in a single write.
    static let server = #"""
    import base64, hashlib, json, socket, sys
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(30)
    print(listener.getsockname()[1], flush=True)
    connection, _ = listener.accept()
    connection.settimeout(30)
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = connection.recv(4096)
        if not chunk:
            sys.exit(1)
        head += chunk
    key = [line.split(b":", 1)[1].strip() for line in head.split(b"\r\n") if line.lower().startswith(b"sec-websocket-key:")][0]
    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    def frame(opcode, payload):
        return bytes([0x80 | opcode, len(payload)]) + payload
    status = json.dumps({"status": "Failure", "reason": "NonZeroExitCode",
                         "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}}).encode()
    connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       + b"Sec-WebSocket-Accept: " + accept + b"\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n"
                       + frame(2, b"\x01first\n") + frame(2, b"\x01second\n") + frame(2, b"\x03" + status) + frame(8, b"\x03\xe8"))
    connection.recv(4096)
    connection.close()
    """#

    @Test(.timeLimit(.minutes(1))) func outputInTheUpgradeResponsesSegmentIsPrinted() throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", Self.server]
        let portPipe = Pipe()
        server.standardOutput = portPipe
        try server.run()
        defer { if server.isRunning { server.terminate() }; server.waitUntilExit() }
        let line = String(decoding: portPipe.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(Int(line.trimmingCharacters(in: .whitespacesAndNewlines)), "the server's port: \(line)")
        let run = try ordinal(["exec", "p-0", "--agent", "http://127.0.0.1:\(port)", "--", "sh"], timeout: 30)
        #expect(run.output == "first\nsecond\n", "stdout [\(run.output)], stderr [\(run.errors)]")
        #expect(run.status == 3 && run.errors.contains("command terminated with exit code 3"), "\(run.status) \(run.errors)")
    }
}
