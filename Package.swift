// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "minic",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "minic", targets: ["minic"]),
        .library(name: "Minic", targets: ["Minic"]),
        .library(name: "MinicUpdates", targets: ["MinicUpdates"]),
        .library(name: "MinicRedis", targets: ["MinicRedis"]),
        .library(name: "MinicAuth", targets: ["MinicAuth"]),
        .library(name: "MinicServer", targets: ["MinicServer"]),
        .library(name: "MinicCore", targets: ["MinicCore"]),
        .library(name: "MinicBase", targets: ["MinicBase"]),
        .library(name: "MinicGit", targets: ["MinicGit"]),
        .library(name: "MinicQueue", targets: ["MinicQueue"]),
        .library(name: "MinicLLM", targets: ["MinicLLM"]),
        .library(name: "MinicTasks", targets: ["MinicTasks"]),
        .library(name: "MinicGuard", targets: ["MinicGuard"]),
        .library(name: "MinicEvals", targets: ["MinicEvals"]),
        .library(name: "MinicTrust", targets: ["MinicTrust"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "4.0.0"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // libgit2 (Debian libgit2-dev), found through pkg-config. Only MinicGit imports it.
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        .target(name: "MinicGit", dependencies: ["CGit2"]),
        // The few libc calls Swift's Glibc module does not export (posix_spawn actions, mallopt, memmem).
        .target(name: "CLibcShims"),
        // The base every module may use: errors, logs, process supervision, state files. No libgit2.
        .target(name: "MinicBase", dependencies: ["CLibcShims", .product(name: "Logging", package: "swift-log")]),
        // The home: git-backed config and templates (through MinicGit), on top of the base it re-exports.
        .target(
            name: "MinicCore",
            dependencies: [
                "MinicBase", "MinicGit", "MinicQueue", "MinicTrust",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // SSH signatures: allowed_signers, signature checks in process (swift-crypto), signing through ssh-keygen.
        .target(
            name: "MinicTrust",
            dependencies: [
                "MinicBase", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "MinicUpdates",
            dependencies: [
                "MinicCore", "MinicGit", "MinicGuard", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The task queue: the `TaskQueue` protocol and its SQLite implementation (GRDB).
        .target(
            name: "MinicQueue",
            dependencies: [
                "MinicBase", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // libcurl (Debian libcurl4-openssl-dev): its headers at build time, the library loaded with dlopen on
        // first use (see Sources/CCurl/include/ccurl.h: linking it costs every command 3.5 ms of start-up).
        // Only MinicLLM imports it.
        .target(name: "CCurl"),
        // Model providers: the streaming `LLMProvider` protocol; offline and Anthropic (libcurl).
        .target(name: "MinicLLM", dependencies: ["CCurl"]),
        // PCRE2 (Debian libpcre2-dev) with its JIT, for the secret scanner. Only MinicGuard imports it.
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]),
        // Security guardrails: secret scanning (and, next, input checks, code analysis, the sandbox).
        // libseccomp (Debian libseccomp-dev), for the sandbox's system-call filter. Only MinicGuard imports it.
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .target(name: "MinicGuard", dependencies: ["CPCRE2", "CSeccomp", "CLibcShims", "MinicCore"]),
        // The task pipeline: validation, templates, provider calls, workers.
        .target(
            name: "MinicTasks",
            dependencies: [
                "MinicCore", "MinicQueue", "MinicLLM", "MinicGit", "MinicUpdates", "MinicGuard", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Evals: the home's suite run on a revision, and a proposal scored against its base (the update engine's evaluator).
        .target(name: "MinicEvals", dependencies: ["MinicCore", "MinicGit", "MinicLLM", "MinicGuard", "MinicTasks", "MinicUpdates"]),
        // hiredis (Debian libhiredis-dev), found through pkg-config. Only MinicRedis imports it.
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]),
        // hiredis's reply objects built under a budget (the default builders are static in hiredis.c).
        .target(name: "CRedisReply", dependencies: ["CHiredis"]),
        // The Redis backend of the task queue (and the fleet's shared rate limits), over hiredis.
        .target(name: "MinicRedis", dependencies: ["CHiredis", "CRedisReply", "MinicQueue", "MinicLLM", "MinicBase", .product(name: "Crypto", package: "swift-crypto")]),
        // Bearer tokens of the HTTP API, kept as hashes in the home's state/.
        .target(name: "MinicAuth", dependencies: ["MinicBase", .product(name: "Crypto", package: "swift-crypto")]),
        // The library API: builds the services of a home (its queue from config, pipelines) in one place.
        .target(
            name: "Minic",
            dependencies: ["MinicCore", "MinicGit", "MinicQueue", "MinicRedis", "MinicTasks", "MinicLLM", "MinicUpdates", "MinicEvals"]
        ),
        // The HTTP API, the review page and /metrics (Hummingbird 2, swift-metrics with swift-prometheus).
        .target(
            name: "MinicServer",
            dependencies: [
                "Minic", "MinicAuth", "MinicCore", "MinicQueue", "MinicUpdates", "MinicTasks", "MinicLLM", "MinicGuard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Compiled into the binary: the server needs no files beside it.
            resources: [
                .embedInCode("Resources/openapi.json"), .embedInCode("Page/index.html"), .embedInCode("Page/app.js"),
                .embedInCode("Page/app.css"),
            ]
        ),
        .executableTarget(
            name: "minic",
            dependencies: [
                "Minic", "MinicAuth", "MinicServer", "MinicUpdates", "MinicCore", "MinicTasks", "MinicQueue", "MinicLLM", "MinicGuard", "MinicEvals",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks/run-queue drives this against Benchmarks/queue_reference.py.
        .executableTarget(name: "minic-queue-bench", dependencies: ["MinicQueue", "MinicCore"], path: "Benchmarks/QueueBenchmark"),
        // Benchmarks/run-redis drives this on one redis-server next to redis-benchmark.
        .executableTarget(name: "minic-redis-bench", dependencies: ["MinicRedis", "MinicQueue", "MinicBase"], path: "Benchmarks/RedisBenchmark"),
        // Benchmarks/run-http measures the library's submit rates with this, next to `minic serve` under wrk.
        .executableTarget(name: "minic-http-bench", dependencies: ["Minic", "MinicCore", "MinicQueue", "MinicTasks"], path: "Benchmarks/HTTPBenchmark"),
        // Benchmarks/run-guard drives this against detect-secrets on the same corpus.
        .executableTarget(name: "minic-scan-bench", dependencies: ["MinicGuard", "MinicCore"], path: "Benchmarks/ScanBenchmark"),
        // Benchmarks/run-guard measures the sandbox's start-up with this.
        .executableTarget(name: "minic-sandbox-bench", dependencies: ["MinicGuard", "MinicCore"], path: "Benchmarks/SandboxBenchmark"),
        // Benchmarks/run-checks times a task's check (CheckRunner, the path `--check` takes) against the same command run directly.
        .executableTarget(
            name: "minic-checks-bench", dependencies: ["MinicTasks", "MinicGuard", "MinicQueue", "MinicCore"], path: "Benchmarks/ChecksBenchmark"),
        // Benchmarks/run-llm times this against curl on the loopback Messages API server.
        .executableTarget(name: "minic-llm-bench", dependencies: ["MinicLLM", "MinicCore"], path: "Benchmarks/LLMBenchmark"),
        .target(name: "MinicTestSupport", dependencies: ["MinicGit"], path: "Tests/MinicTestSupport"),
        .testTarget(name: "MinicGitTests", dependencies: ["MinicGit", "MinicTestSupport"]),
        .testTarget(name: "MinicCoreTests", dependencies: ["MinicCore", "MinicTrust", "MinicTestSupport"]),
        .testTarget(name: "MinicUpdatesTests", dependencies: ["MinicUpdates", "MinicCore", "MinicTestSupport"]),
        .testTarget(name: "MinicQueueTests", dependencies: ["Minic", "MinicQueue", "MinicRedis", "MinicCore", "MinicTestSupport"]),
        .testTarget(name: "MinicEvalsTests", dependencies: ["MinicEvals", "MinicCore", "MinicUpdates"]),
        .testTarget(name: "MinicGuardTests", dependencies: ["MinicGuard", "MinicTestSupport"]),
        .testTarget(name: "MinicLLMTests", dependencies: ["MinicLLM", "MinicTestSupport"]),
        .testTarget(name: "MinicTasksTests", dependencies: ["Minic", "MinicTasks", "MinicQueue", "MinicLLM", "MinicCore", "MinicTestSupport"]),
        .testTarget(name: "MinicServerTests", dependencies: ["MinicServer", "MinicAuth", "Minic", "MinicBase", "MinicTestSupport"]),
        .testTarget(name: "MinicAuthTests", dependencies: ["MinicAuth", "MinicTestSupport"]),
        .testTarget(name: "MinicCLITests", dependencies: ["minic", "MinicTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
