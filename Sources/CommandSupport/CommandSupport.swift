import ArgumentParser
import Foundation
import Logging
import Siting
import SpatialCore
import UrbanModel
import UrbanStore

// What both executables (`urbangrid`, `urbangrid-export`) share: exit statuses, the stdout writer, logging
// to stderr, and a progress bar for long work.

/// Errors of the command-line layer: bad input with its place, or a documented exit status.
public enum CLIError: Error, CustomStringConvertible {
    case badInput(String)
    case found(String)  // a query that ran and found a violation or nothing (exit 1)

    public var description: String {
        switch self {
        case .badInput(let m), .found(let m): m
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .badInput: 2
        case .found: 1
        }
    }
}

public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// The formats of a query whose answers are features: a table, JSON, or a GeoJSON FeatureCollection.
public enum QueryFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, geojson
}

/// `--format table|json`, shared by the commands.
public struct FormatOption: ParsableArguments {
    @Option(help: "table or json.") public var format: OutputFormat = .table
    public init() {}
}

/// `--format table|json|geojson`, shared by the queries whose answers are features.
public struct QueryFormatOption: ParsableArguments {
    @Option(help: "table, json or geojson.") public var format: QueryFormat = .table
    public init() {}
}

/// `--holidays FILE|none` (repeatable): the public holidays and make-up working days that `PH` rules and working
/// time follow. Without it, the built-in State Council calendar (2025–2026); each FILE (the CSV of
/// `GeoData/holidays/`, e.g. next year's arrangement) is added to it; `none`: no holidays at all.
public struct HolidaysOption: ParsableArguments {
    @Option(name: .customLong("holidays"), help: ArgumentHelp(
        "Holiday calendar CSV (date,kind with kind holiday or makeup_workday, as GeoData/holidays/) added to the built-in 2025–2026 one; none for no holidays. Repeatable.",
        valueName: "FILE|none"))
    public var files: [String] = []
    public init() {}

    /// The calendar the options give. - Throws: `CLIError.badInput` naming the file and line.
    public func calendar() throws -> HolidayCalendar {
        if files == ["none"] { return .none }
        var calendar = HolidayCalendar.china
        for file in files {
            guard file != "none" else { throw CLIError.badInput("--holidays none cannot be combined with files") }
            do {
                calendar = calendar.merging(try HolidayCalendar(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw CLIError.badInput("\(file): \(error)")
            }
        }
        return calendar
    }
}

/// `--crs` of the coordinates that come in (a file's, or `--lon/--lat`, `--near X,Y`), shared by every command that
/// takes coordinates or a geometry file.
public struct InputCRSOption: ParsableArguments {
    @Option(help: "CRS of the coordinates given (options and files): EPSG:n, a PROJ string, WKT, GCJ02 or BD09 (default WGS84); x is longitude or easting.")
    public var crs: String?
    public init() {}

    /// The CRS given, parsed; nil for WGS84.
    public func parsed() throws -> CRS? {
        do { return try crs.map(CRS.init) } catch { throw CLIError.badInput("--crs: \(error)") }
    }

    /// The converter of coordinates given on the command line to WGS84.
    public func coordinates() throws -> InputCoordinates {
        do { return try InputCoordinates(text: crs, field: "--crs") } catch { throw CLIError.badInput("\(error)") }
    }
}

/// `--out-crs`: the CRS of the coordinates of an answer (default WGS84). In JSON, a geographic CRS keeps the `lon`/`lat`
/// keys; a projected one writes `x`/`y` instead. GeoJSON in a projected CRS is outside RFC 7946 (written, with a
/// warning on stderr, as `urbangrid-export` does).
public struct OutputCRSOption: ParsableArguments {
    @Option(name: .customLong("out-crs"), help: "CRS of the coordinates in the answer: EPSG:n, a PROJ string, WKT, GCJ02 or BD09 (default WGS84).")
    public var crs: String?
    public init() {}

    public func coordinates() throws -> OutputCoordinates {
        do { return try OutputCoordinates(try crs.map(CRS.init), field: "--out-crs") } catch { throw CLIError.badInput("--out-crs: \(error)") }
    }
}

extension OutputCoordinates {
    /// `value` with every object's numeric `lon`/`lat` pair in the output CRS (`x`/`y` when it is projected).
    public func reprojecting(_ value: JSONValue) throws -> JSONValue {
        guard !isWGS84 else { return value }
        let geographic = isGeographic
        func walk(_ v: JSONValue) throws -> JSONValue {
            switch v {
            case .array(let items): return .array(try items.map(walk))
            case .object(let o):
                var members: [(String, JSONValue)] = []
                let lon = o["lon"].flatMap(\.doubleValue), lat = o["lat"].flatMap(\.doubleValue)
                let out = try lon.flatMap { x in try lat.map { y in try apply(Coordinate(x, y)) } }
                for m in o {
                    if let out, m.key == "lon" { members.append((geographic ? "lon" : "x", .number(out.x))) }
                    else if let out, m.key == "lat" { members.append((geographic ? "lat" : "y", .number(out.y))) }
                    else { members.append((m.key, try walk(m.value))) }
                }
                return .object(JSONObject(members))
            default: return v
            }
        }
        return try walk(value)
    }

    /// A FeatureCollection with every geometry in the output CRS; a warning on stderr when that is not geographic.
    public func reprojecting(_ collection: FeatureCollection) throws -> FeatureCollection {
        guard !isWGS84 else { return collection }
        if !isGeographic {
            Logger(label: "urbangrid").warning("GeoJSON in \(crs!) (projected) is outside RFC 7946, which takes WGS84 lon/lat only")
        }
        var c = collection
        for i in c.features.indices { c.features[i].geometry = try c.features[i].geometry.map { try apply(to: $0) } }
        return c
    }

    /// Decimals for coordinates in the output CRS: 7 for degrees, 3 for metres.
    public var precision: Int { isGeographic ? 7 : 3 }
}

/// Prints warnings about the input (a spot far outside the city...) on stderr.
public func warn(_ warnings: [String]) {
    let log = Logger(label: "urbangrid")
    for w in warnings { log.warning("\(w)") }
}

/// Writes to stdout through one buffered handle (results only; logs use swift-log on stderr).
public struct StandardOutput {
    private var buffer: [UInt8] = []

    public init() {}

    public mutating func line(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends bytes written by a JSON fast path, then a newline.
    public mutating func line(bytes: (inout [UInt8]) -> Void) {
        bytes(&buffer)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends text made elsewhere (whole lines); a large chunk goes straight out without a copy.
    public mutating func write(bytes: [UInt8]) {
        if buffer.count + bytes.count < 1 << 16 {
            buffer.append(contentsOf: bytes)
            return
        }
        flush()
        Self.writeAll(bytes)
    }

    public mutating func flush() {
        guard !buffer.isEmpty else { return }
        Self.writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// write(2) until done; a failure (a full disk, a closed pipe when SIGPIPE is ignored) ends the process with
    /// a message, as a half-written result must not look like a whole one.
    private static func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(STDOUT_FILENO, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    FileHandle.standardError.write(Data("error: cannot write the result to standard output: \(String(cString: strerror(errno)))\n".utf8))
                    exit(1)
                }
                done += n
            }
        }
    }
}

/// The level of every log: `URBANGRID_LOG` (trace, debug, info, notice, warning, error, critical), default info.
public var logLevel: Logger.Level {
    ProcessInfo.processInfo.environment["URBANGRID_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
}

extension ParsableCommand {
    /// Runs the command with UrbanGrid's exit codes: 2 for bad input or usage (with a message that says what
    /// and where), 1 only where a command documents it. Logs go to stderr at `URBANGRID_LOG` (default info).
    public static func runWithUrbanGridExitCodes() {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = logLevel
            return h
        }
        let name = configuration.commandName ?? "urbangrid"
        // Ctrl-C or a kill: remove the temporaries of unfinished outputs (final names are never half written)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let removed = StagedFile.removePending()
                FileHandle.standardError.write(Data("\n\(name): interrupted\(removed > 0 ? ", nothing written under a final name" : "")\n".utf8))
                Foundation.exit(128 + sig)
            }
            source.resume()
            signalSources.append(source)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // the library layers' errors say what and where: bad input (2), or a documented status (CLIError)
            let status: Int32? = switch error {
            case let e as CLIError: e.exitCode
            case is SpatialError, is ModelError, is SitingError, is CaseError: 2
            default: nil
            }
            if let status {
                FileHandle.standardError.write(Data("\(name): error: \(error)\n".utf8))
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

nonisolated(unsafe) private var signalSources: [any DispatchSourceSignal] = []  // kept alive for the process

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and at most ten times a second.
public final class ProgressBar {
    private let label: String
    /// Whether it draws at all (stderr is a terminal): callers skip work done only for the bar when it does not.
    public let enabled: Bool
    private var last = Date.distantPast
    private var drawn = false

    public init(_ label: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.enabled = enabled
    }

    public func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.1 || done == total else { return }
        last = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(Int(fraction * 100))% \(done)/\(total)\u{1B}[K".utf8))
        drawn = true
    }

    /// Ends the line the bar was drawn on.
    public func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }
}

/// Plain-text tables for people: columns padded to their widest cell (CJK characters count double).
public enum TextTable {
    public static func lines(_ headers: [String], _ rows: [[String]]) -> [String] {
        func width(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.properties.isIdeographic || (0xFF00...0xFFEF).contains($1.value) ? 2 : 1) } }
        var widths = headers.map(width)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], width(c)) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - width(c)) }
                .joined(separator: "  ")
        }
        return [line(headers)] + rows.map(line)
    }
}


/// The `DB` argument every command that reads or writes a city shares: a SpatiaLite file or a `postgresql://` URL.
public struct CityArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The city: a SpatiaLite file, or a postgresql://USER[:PASS]@HOST[:PORT]/NAME URL (the password may come from PGPASSWORD or ~/.pgpass).", valueName: "db"))
    public var db: String

    public init() {}

    /// Where the city is (a URL's password never shown in its description).
    public var location: DatabaseLocation { get throws { try DatabaseLocation(db) } }

    /// Opens the city (newer migrations applied unless `readOnly`).
    public func open(readOnly: Bool = true) throws -> any CityStore {
        try City.open(try location, readOnly: readOnly)
    }
}

/// The ids of the features of `layer` that `condition` (an SQL expression on the layer's columns, as
/// `urbangrid-export --where` takes it: one expression, run on the read-only connection) selects.
/// - Throws: `CLIError.badInput` naming `option` for a condition the engine refuses.
public func featureIDs(_ store: any CityStore, layer: UrbanModel.Layer, where condition: String, option: String) throws -> Set<String> {
    var ids: Set<String> = []
    do {
        let reader = try LayerReader(store, layer: layer, filter: LayerFilter(whereSQL: condition))
        try reader.forEachRow(rawJSON: false) { ids.insert($0.id) }
    } catch {
        throw CLIError.badInput("\(option) '\(condition)': \(error)")
    }
    return ids
}
