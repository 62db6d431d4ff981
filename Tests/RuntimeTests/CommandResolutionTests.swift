import ClusterState
import Testing
@testable import Runtime

@Suite struct CommandResolutionTests {
    @Test(arguments: [
        ("nginx", "nginx"),
        ("nginx:1.25", "nginx"),
        ("docker.io/library/nginx:1.25", "nginx"),
        ("localhost:5000/team/redis:7", "redis"),
        ("registry.example/postgres@sha256:abc123", "postgres"),
        ("quay.io/coreos/etcd:v3.5@sha256:abc", "etcd"),
    ])
    func imageNamesItsExecutable(image: String, executable: String) {
        #expect(ContainerCommand.executableName(image: image) == executable)
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("$(POD_NAME)", "web-0"),
        ("a-$(POD_NAME)-b", "a-web-0-b"),
        ("$(UNDEFINED)", "$(UNDEFINED)"),
        ("$$(POD_NAME)", "$(POD_NAME)"),
        ("$$$(POD_NAME)", "$web-0"),
        ("$$", "$"),
        ("$(POD_NAME", "$(POD_NAME"),
        ("$HOME and ${X}", "$HOME and ${X}"),
        ("trailing $", "trailing $"),
        ("$(EMPTY)x", "x"),
        ("$(POD_NAME)$(POD_NAME)", "web-0web-0"),
    ])
    func expandsLikeKubernetes(input: String, expected: String) {
        #expect(VariableExpansion.expand(input, ["POD_NAME": "web-0", "EMPTY": ""]) == expected)
    }

    @Test(arguments: [
        // command wins over the image; args follow; $(VAR) expanded in both
        (Container.fixture(image: "nginx", command: ["sh", "-c"], args: ["echo $(POD_NAME)"]),
         "/bin/sh", ["sh", "-c", "echo web-0"]),
        // no command: the image's executable on the search path, with args
        (Container.fixture(image: "docker.io/library/nginx:1.25", args: ["-g", "daemon off;"]),
         "/usr/bin/nginx", ["nginx", "-g", "daemon off;"]),
        // a command with a slash is taken as written
        (Container.fixture(command: ["/opt/app/run", "$(POD_NAMESPACE)"]), "/opt/app/run", ["/opt/app/run", "default"]),
        // ordinal/<tool> runs the helper; serve-hostname gets the first container port
        (Container.fixture(image: "ordinal/serve-hostname", ports: [18080, 9090]),
         "/usr/local/bin/ordinal", ["/usr/local/bin/ordinal", "helper", "serve-hostname", "--port", "18080"]),
        // ... unless the args name a port already
        (Container.fixture(image: "ordinal/serve-hostname:latest", args: ["--port=7000"], ports: [18080]),
         "/usr/local/bin/ordinal", ["/usr/local/bin/ordinal", "helper", "serve-hostname", "--port=7000"]),
        // ordinal/pause is the keeper's pause, a few kilobytes of C
        (Container.fixture(image: "ordinal/pause"), "/usr/local/bin/ordinal-keeper", ["/usr/local/bin/ordinal-keeper", "pause"]),
    ])
    func resolvesByKubernetesRules(container: Container, executable: String, arguments: [String]) throws {
        let launch = PodLaunch.fixture(containers: [container])
        let environment = ContainerEnvironment(container: container, launch: launch).dictionary
        let command = try ContainerCommand.resolve(container: container, launch: launch, environment: environment,
                                                   isExecutable: { ["/bin/sh", "/usr/bin/nginx"].contains($0) })
        #expect(command.executable == executable)
        #expect(command.arguments == arguments)
    }

    @Test func missingExecutable_isExecutableNotFound() {
        let container = Container.fixture(image: "docker.io/library/nginx:1.25")
        let launch = PodLaunch.fixture(containers: [container])
        #expect(throws: ContainerCommand.Failure(reason: "ExecutableNotFound",
                                                 message: "no executable \"nginx\" on PATH of agent a2")) {
            try ContainerCommand.resolve(container: container, launch: launch, environment: [:], isExecutable: { _ in false })
        }
    }

    @Test func neitherCommandNorImage_isAConfigError() {
        let container = Container(name: "empty")
        #expect(throws: ContainerCommand.Failure.self) {
            try ContainerCommand.resolve(container: container, launch: .fixture(containers: [container]),
                                         environment: [:], isExecutable: { _ in true })
        }
    }

    @Test func searchPathIsSearchedInOrder() throws {
        let launch = PodLaunch.fixture(containers: [], searchPath: "/first::/second/")
        let found = try ContainerCommand.locate("tool", launch: launch, isExecutable: { $0.hasPrefix("/second") })
        #expect(found == "/second/tool")
    }
}
