import ArgumentParser
import CommandSupport
import Foundation
import Logging
import Siting
import SpatialCore
import UrbanModel

@main
struct UrbanGridCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "urbangrid",
        abstract: "UrbanGrid: spatial data and queries for city urban management (城市管理).",
        discussion: """
            Coordinates in and out are WGS84 longitude/latitude unless --crs/--from/--to say otherwise; \
            distances are metres. Logs go to stderr, results to stdout. Exit status: 0 success, \
            1 a query found a violation or nothing, 2 bad input or usage. --network walk|drive measures along the \
            streets layer. DB is a SpatiaLite file or, for init, import and copy so far, a postgresql:// URL.
            """,
        version: "urbangrid \(version) (\(SpatialLibraries.versions))",
        subcommands: [Init.self, Import.self, Copy.self, Grid.self, Lookup.self, Vendor.self, Hazards.self, Stations.self, Coverage.self, ServiceAreaCommand.self, Audit.self, Site.self, Serve.self, Users.self, CaseCommand.self, Assess.self, Patrol.self, Frontage.self, Transform.self, Demo.self])

    static func main() { runWithUrbanGridExitCodes() }
}
