import ClusterState
import Testing
@testable import Runtime

@Suite struct EnvironmentTests {
    @Test func buildsTheCleanPodEnvironmentInOrder() {
        let container = Container.fixture(
            env: [("GREETING", "hi $(POD_NAME)"), ("FILE", "$(VOLUME_DATA_DIR)/db"), ("POD_IP", "override"),
                  ("LATER", "$(EARLIER)"), ("EARLIER", "x"), ("AGAIN", "$(EARLIER)")],
            mounts: [("data-dir", "/data"), ("no-path", "/other")])
        let launch = PodLaunch.fixture(containers: [container], volumePaths: ["data-dir": "/srv/vol/data"])
        let environment = ContainerEnvironment(container: container, launch: launch)
        #expect(environment.entries == [
            "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/srv/vol/data", "POD_NAME=web-0", "POD_NAMESPACE=default",
            "POD_IP=override", "POD_ORDINAL=0", "POD_UID=uid-1", "NODE_NAME=a2", "VOLUME_DATA_DIR=/srv/vol/data",
            "GREETING=hi web-0", "FILE=/srv/vol/data/db", "LATER=$(EARLIER)", "EARLIER=x", "AGAIN=x",
        ])
    }

    @Test func ordinalIsOmittedWhenNil() {
        var launch = PodLaunch.fixture(containers: [.fixture()])
        launch.ordinal = nil
        let names = ContainerEnvironment(container: .fixture(), launch: launch).variables.map(\.name)
        #expect(!names.contains("POD_ORDINAL"))
    }

    @Test(arguments: [
        ("my-vol", "VOLUME_MY_VOL"), ("data", "VOLUME_DATA"), ("a.b-c", "VOLUME_A_B_C"),
    ])
    func volumeVariableNames(volume: String, variable: String) {
        #expect(ContainerEnvironment.volumeVariable(volume) == variable)
    }

    @Test(arguments: [
        // workingDir under a mount path maps to the volume's host directory
        ("/data/sub/dir", "/srv/data/sub/dir"),
        ("/data", "/srv/data"),
        // an unrelated absolute path is used as is, and a prefix that is not a path component does not match
        ("/tmp/work", "/tmp/work"),
        ("/database", "/database"),
        // none: the first mounted volume
        (nil, "/srv/data"),
    ] as [(String?, String)])
    func workingDirectory(requested: String?, expected: String) {
        var container = Container.fixture(mounts: [("data", "/data/"), ("logs", "/logs")])
        container.workingDir = requested
        let launch = PodLaunch.fixture(containers: [container], volumePaths: ["data": "/srv/data", "logs": "/srv/logs"])
        #expect(ContainerEnvironment.workingDirectory(container: container, launch: launch) == expected)
    }

    @Test func workingDirectoryWithoutVolumes_isThePodDirectory() {
        let launch = PodLaunch.fixture(containers: [.fixture()], logDirectory: "/var/lib/ordinal/pods/default/web-0/logs")
        #expect(ContainerEnvironment.workingDirectory(container: .fixture(), launch: launch) == "/var/lib/ordinal/pods/default/web-0")
    }
}
