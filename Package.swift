// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "UrbanGrid",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SpatialCore", targets: ["SpatialCore"]),
        .library(name: "UrbanModel", targets: ["UrbanModel"]),
        .library(name: "Siting", targets: ["Siting"]),
        .library(name: "UrbanStore", targets: ["UrbanStore"]),
        .library(name: "Export", targets: ["Export"]),
        .library(name: "UrbanService", targets: ["UrbanService"]),
        .executable(name: "urbangrid", targets: ["urbangrid"]),
        .executable(name: "urbangrid-export", targets: ["urbangrid-export"]),
        .executable(name: "urbangrid-bench", targets: ["urbangrid-bench"]),
        .executable(name: "urbangrid-fuzz", targets: ["urbangrid-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own NIO packages, named for the lookup handler in its channel pipeline (`LookupFastPath`)
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // the PostgreSQL/PostGIS engine (UrbanStore), and TLS to its server
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // SHA-256 of bearer tokens (already resolved for postgres-nio's SCRAM)
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // bearer-token authentication of the case routes (the middleware and the request context's identity)
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        // C libraries, found through pkg-config. SpatialCore alone imports GEOS, PROJ and SpatiaLite; Siting imports CBC
        // (its MIP solver) and zlib (its instance matrices).
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev", "proj-data"])]),
        .systemLibrary(
            name: "CSpatiaLite", pkgConfig: "spatialite",
            providers: [.apt(["libspatialite-dev", "libsqlite3-dev", "libsqlite3-mod-spatialite"])]),
        .systemLibrary(name: "CCbc", pkgConfig: "cbc", providers: [.apt(["coinor-libcbc-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(
            name: "SpatialCore",
            dependencies: ["CGEOS", "CPROJ", "CSpatiaLite"],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),

        // The domain, pure Swift above the spatial core.
        .target(
            name: "UrbanModel",
            dependencies: ["SpatialCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),

        // Every line of SQL: the SpatiaLite engine (UrbanDatabase) and the PostgreSQL/PostGIS engine (postgres-nio)
        // implementing UrbanModel's CityStore, opening a city by file path or postgresql:// URL, the streaming layer
        // reader, copying a city between engines.
        .target(
            name: "UrbanStore",
            dependencies: [
                "SpatialCore",
                "UrbanModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),

        // Layers for map tools (GeoJSON, GeoJSONSeq, CSV, GeoPackage), nightly batch plans and their HTML report.
        .target(
            name: "Export",
            dependencies: ["SpatialCore", "UrbanModel", "UrbanStore"],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),

        // Site selection (LSCP, MCLP, p-median, p-center): instance folders (read through zlib), reductions, heuristics,
        // and the MIP solver over CBC's C interface.
        .target(
            name: "Siting",
            dependencies: ["SpatialCore", "CCbc", "CZlib"],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),

        // The HTTP service (Hummingbird 2): OGC API - Features over every layer, the map page, and the place where
        // the query routes are registered. `urbangrid serve` only parses, opens and runs it.
        .target(
            name: "UrbanService",
            dependencies: [
                "SpatialCore",
                "UrbanModel",
                "UrbanStore",
                "Export",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),

        // What both executables share: exit statuses, stdout, logging, progress.
        .target(
            name: "CommandSupport",
            dependencies: [
                "SpatialCore",
                "UrbanModel",
                "UrbanStore",
                "Export",
                "Siting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "urbangrid",
            dependencies: [
                "SpatialCore",
                "UrbanModel",
                "Export",
                "Siting",
                "CommandSupport",
                "UrbanService",
                "UrbanStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "urbangrid-export",
            dependencies: [
                "SpatialCore",
                "UrbanModel",
                "UrbanStore",
                "Export",
                "CommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "urbangrid-bench",
            dependencies: [
                "SpatialCore",
                "UrbanModel",
                "UrbanStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // The fuzz targets (one per parser of user input) and their driver: libFuzzer when built by Tools/fuzz.sh,
        // a replay tool otherwise. No Hummingbird: the HTTP parameters are parsed by UrbanModel's RequestParameters.
        .target(name: "FuzzTargets", dependencies: ["SpatialCore", "UrbanModel", "Export", "UrbanService"]),
        .executableTarget(name: "urbangrid-fuzz", dependencies: ["FuzzTargets"]),

        // Vectors/ holds reference data read through #filePath, not bundled resources.
        .testTarget(name: "UrbanModelTests", dependencies: ["UrbanModel", "UrbanStore", "SpatialCore"], exclude: ["Vectors"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "UrbanModel", "UrbanStore", "SpatialCore"]),
        .testTarget(name: "SpatialCoreTests", dependencies: ["SpatialCore"], exclude: ["Vectors"]),
        .testTarget(name: "SitingTests", dependencies: ["Siting", "SpatialCore"]),
        // The storage contract on both engines (PostgreSQL from Tools/pg-cluster.sh, started by Tools/test.sh).
        .testTarget(name: "UrbanStoreTests", dependencies: ["UrbanStore", "UrbanModel", "SpatialCore", .product(name: "PostgresNIO", package: "postgres-nio")]),
        // Replays Tests/FuzzCorpus/<target>/ (seeds and every input the fuzzer found) through the fuzz targets.
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzTargets"]),
        .testTarget(
            name: "UrbanServiceTests",
            dependencies: [
                "UrbanService", "UrbanModel", "UrbanStore", "Export", "SpatialCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["HostileRequests.json"]),  // read through #filePath
        // Runs the built executables as a user would (the dependency makes SwiftPM build them first).
        .testTarget(name: "CLITests", dependencies: ["urbangrid", "urbangrid-export", "UrbanModel", "UrbanStore"], exclude: ["BadInputs", "Golden"]),
    ]
)
