import ClusterState
import Testing
@testable import Runtime

@Suite struct PolicyTests {
    @Test func backoffDoublesFromOneSecondToTheCap() {
        var backoff = RestartBackoff()
        let delays = (0 ..< 11).map { _ in backoff.nextDelay(ranFor: .seconds(1)) }
        #expect(delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map { Duration.seconds($0) })
    }

    @Test func aLongRunResetsTheBackoff() {
        var backoff = RestartBackoff()
        for _ in 0 ..< 5 { _ = backoff.nextDelay(ranFor: .seconds(3)) }
        #expect(backoff.nextDelay(ranFor: .seconds(599)) == .seconds(32))
        #expect(backoff.nextDelay(ranFor: .seconds(600)) == .seconds(1))
        #expect(backoff.nextDelay(ranFor: nil) == .seconds(2))
    }

    @Test(arguments: [
        ("Always", 0, true), ("Always", 1, true), ("OnFailure", 0, false), ("OnFailure", 137, true),
        ("Never", 0, false), ("Never", 1, false), ("", 0, true),
    ])
    func restartPolicy(policy: String, exitCode: Int, restarts: Bool) {
        #expect(RestartBackoff.restarts(policy: policy, exitCode: exitCode) == restarts)
    }

    @Test(arguments: [
        // (successThreshold, failureThreshold, initially, results, passing after each)
        (1, 3, false, [true, false, false, false, true], [true, true, true, false, true]),
        (2, 1, false, [true, true, false, true, true], [false, true, false, false, true]),
        (1, 3, true, [false, false, true, false, false, false], [true, true, true, true, true, false]),
    ])
    func probeThresholds(success: Int, failure: Int, initially: Bool, results: [Bool], expected: [Bool]) {
        var tracker = ProbeTracker(successThreshold: success, failureThreshold: failure, initiallyPassing: initially)
        let passing = results.map { result in
            tracker.record(success: result)
            return tracker.passing
        }
        #expect(passing == expected)
    }

    @Test func probeTimingDefaultsAreKubernetes() {
        let timing = ProbeTiming(Probe(exec: .init(command: ["true"])))
        #expect(timing.initialDelay == .zero)
        #expect(timing.period == .seconds(10))
        #expect(timing.timeout == .seconds(1))
        #expect(timing.successThreshold == 1)
        #expect(timing.failureThreshold == 3)
    }

    @Test(arguments: [
        (Int32(0), 0, "Completed"), (Int32(1 << 8), 1, "Error"), (Int32(9), 137, "Error"), (Int32(15), 143, "Error"),
    ])
    func waitStatusBecomesExitCode(status: Int32, exitCode: Int, reason: String) {
        let exit = ExitStatus(waitStatus: status)
        #expect(exit.exitCode == exitCode)
        #expect(exit.reason == reason)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\n", true), ("HTTP/1.0 302 Found\r\n", true), ("HTTP/1.1 399 X\r\n", true),
        ("HTTP/1.1 400 Bad\r\n", false), ("HTTP/1.1 500 Oops\r\n", false), ("garbage", false), ("", false),
    ])
    func httpProbeStatus(response: String, success: Bool) {
        #expect(ProbeCheck.isSuccessStatus(Array(response.utf8)) == success)
    }

    @Test func namedPortsResolveFromTheContainer() {
        var container = Container.fixture()
        container.ports = [ContainerPort(name: "http", containerPort: 18080)]
        #expect(ProbeCheck.resolvePort(.string("http"), spec: container) == 18080)
        #expect(ProbeCheck.resolvePort(.string("9000"), spec: container) == 9000)
        #expect(ProbeCheck.resolvePort(.string("grpc"), spec: container) == nil)
        #expect(ProbeCheck.resolvePort(.int(7), spec: container) == 7)
    }

    @Test func serveHostnamePort() {
        #expect(ServeHostname.port(arguments: [], environment: [:]) == 8080)
        #expect(ServeHostname.port(arguments: [], environment: ["PORT": "9000"]) == 9000)
        #expect(ServeHostname.port(arguments: ["--port", "18001"], environment: ["PORT": "9000"]) == 18001)
        #expect(ServeHostname.port(arguments: ["--port=18002"], environment: [:]) == 18002)
        #expect(ServeHostname.port(arguments: ["--port", "0"], environment: [:]) == nil)
    }
}
