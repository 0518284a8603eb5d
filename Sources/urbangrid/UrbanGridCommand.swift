import ArgumentParser
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
            1 a query found a violation or nothing, 2 bad input or usage.
            Commands for lookups, vendors, hazards, coverage and the HTTP service arrive \
            in later releases; see ../shared/reference/cli.md for the whole contract.
            """,
        version: "urbangrid \(version) (\(SpatialLibraries.versions))",
        subcommands: [Init.self, Import.self, Grid.self, Site.self, Transform.self, Demo.self])

    /// Runs the command with UrbanGrid's exit codes: 2 for bad input or usage (with a message that
    /// says what and where), 1 only where a command documents it.
    static func main() {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = ProcessInfo.processInfo.environment["URBANGRID_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return h
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // the library layers' errors say what and where: bad input (2), or a documented status (CLIError)
            let status: Int32? = switch error {
            case let e as CLIError: e.exitCode
            case is SpatialError, is ModelError, is SitingError: 2
            default: nil
            }
            if let status {
                FileHandle.standardError.write(Data("urbangrid: error: \(error)\n".utf8))
                Foundation.exit(status)
            }
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Errors of the command-line layer: bad input with its place, or a documented exit status.
enum CLIError: Error, CustomStringConvertible {
    case badInput(String)
    case found(String)  // a query that ran and found a violation or nothing (exit 1)

    var description: String {
        switch self {
        case .badInput(let m), .found(let m): m
        }
    }

    var exitCode: Int32 {
        switch self {
        case .badInput: 2
        case .found: 1
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Writes to stdout through one buffered handle (results only; logs use swift-log on stderr).
struct StandardOutput {
    private var buffer: [UInt8] = []

    mutating func line(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
