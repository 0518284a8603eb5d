import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel
import Export

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run an export plan (JSON): layers, audits, a summary and a self-contained HTML report in one folder.",
        discussion: """
            The folder holds the exported layers, audits.json (every finding), summary.json and report.html (opens \
            from disk, Leaflet inlined from Debian's libjs-leaflet). It replaces an older folder of the same name only \
            when complete. Exit status 1 when an audit found problems (the folder is written all the same).
            Plan format: GeoData/plans/README.md.
            """)

    @Argument(help: "The plan file (JSON); paths in it are relative to it.")
    var plan: String

    @Option(help: "The database, instead of the plan's `database`.")
    var db: String?

    @Option(help: ArgumentHelp("The output folder, instead of the plan's `output`.", valueName: "DIR"))
    var out: String?

    @Option(help: ArgumentHelp("Where leaflet.js and leaflet.css are.", valueName: "DIR"))
    var leaflet: String = LeafletAssets.debianDirectory

    @Option(name: .customLong("summary"), help: "How to print the result: table or json (the summary.json text).")
    var summaryFormat: OutputFormat = .table

    func run() throws {
        let p = try BatchPlan(contentsOf: plan)
        guard let database = db ?? p.database else {
            throw CLIError.badInput("\(plan): no database: name one in the plan (\"database\") or with --db")
        }
        guard let output = out ?? p.output else {
            throw CLIError.badInput("\(plan): no output folder: name one in the plan (\"output\") or with --out")
        }
        let log = Logger(label: "urbangrid-export.batch")
        let assets = LeafletAssets.load(from: leaflet)
        if assets == nil { log.warning("no Leaflet in \(leaflet) (Debian package libjs-leaflet): the report has no map") }
        let outcome = try BatchRunner.run(p, database: database, output: output, leaflet: assets) { step in
            log.info("\(step)")
        }
        var stdout = StandardOutput()
        switch summaryFormat {
        case .json:
            stdout.line(outcome.summaryJSON.trimmingCharacters(in: .newlines))
        case .table:
            for e in outcome.exports {
                stdout.line("export  \(e.name): \(e.features) features → \(e.file)")
            }
            if let f = outcome.gridFindings {
                stdout.line("audit   grid: \(f.isEmpty ? "pass" : "\(f.count) findings")")
            }
            for c in outcome.coverage {
                stdout.line("audit   station coverage \(NumberText.format(c.radiusMetres)) m: \(c.coveredCount)/\(c.units.count) grids covered"
                    + (c.uncovered.isEmpty ? ", pass" : ", \(c.uncovered.count) uncovered"))
            }
            stdout.line("report  \(outcome.output)/report.html")
        }
        stdout.flush()
        if !outcome.passed { throw ExitCode(1) }
    }
}
