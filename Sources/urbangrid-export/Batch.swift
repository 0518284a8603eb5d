import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run an export plan (JSON): layers, audits, a summary and a self-contained HTML report in one folder.")

    @Argument(help: "The plan file (JSON); see GeoData/plans/nightly.json.")
    var plan: String

    func run() throws {
        throw CLIError.badInput("batch plans are not implemented yet")
    }
}
