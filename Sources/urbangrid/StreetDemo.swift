import CommandSupport
import Foundation
import Logging
import SpatialCore

/// Loading street segments into a demo SpatiaLite database and measuring them.
enum StreetDemo {
    static let migrations = [
        Migration(version: 1, name: "street segments", sql: """
            CREATE TABLE streets(
                id INTEGER PRIMARY KEY, name TEXT, highway TEXT, oneway INTEGER NOT NULL DEFAULT 0,
                length_m REAL NOT NULL);
            SELECT AddGeometryColumn('streets', 'geom', 4326, 'LINESTRING', 'XY');
            """),
    ]

    struct Summary {
        var database: String
        var source: String
        var segments: Int
        var envelope: Envelope
        var metricCRS: String
        var metricCRSName: String
        var totalLengthM: Double
        var referenceLengthM: Double?
        var byClass: [(String, Int)]
        var radiusM: Double
        var nearCentre: [(id: Int64, name: String?, distanceM: Double)]
        var indexValid: Bool
        var versions: String

        var table: [String] {
            func f(_ v: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", v) }
            var t = [
                "database        \(database) (SpatiaLite, WAL, schema v1, spatial index \(indexValid ? "valid" : "INVALID"))",
                "source          \(source)",
                "segments        \(segments)",
                "extent (lon/lat) \(f(envelope.minX, 7)), \(f(envelope.minY, 7)) .. \(f(envelope.maxX, 7)), \(f(envelope.maxY, 7))",
                "metric CRS      \(metricCRS) \(metricCRSName) (UTM zone of the data's centre)",
                "total length    \(f(totalLengthM / 1000, 3)) km",
            ]
            if let r = referenceLengthM {
                t.append("  vs length_m  \(f(r / 1000, 3)) km in the file (EPSG:3067): relative difference \(String(format: "%.1e", abs(totalLengthM - r) / r))")
            }
            t.append("by class        " + byClass.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
            t.append("within \(f(radiusM, 0)) m of the centre (R*Tree + GEOS, nearest first): \(nearCentre.count) segments")
            for s in nearCentre.prefix(5) { t.append("  #\(s.id) \(s.name ?? "(unnamed)") \(f(s.distanceM)) m") }
            t.append("libraries       \(versions)")
            return t
        }

        var json: String {
            let o: [String: Any] = [
                "database": database, "source": source, "segments": segments,
                "bbox": [envelope.minX, envelope.minY, envelope.maxX, envelope.maxY],
                "metric_crs": metricCRS, "total_length_m": totalLengthM,
                "reference_length_m": referenceLengthM as Any,
                "by_class": Dictionary(uniqueKeysWithValues: byClass),
                "radius_m": radiusM,
                "near_centre": nearCentre.map { ["id": $0.id, "name": $0.name as Any, "distance_m": $0.distanceM] },
                "spatial_index_valid": indexValid,
            ]
            let d = try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
            return String(decoding: d, as: UTF8.self)
        }
    }

    static func load(_ fc: FeatureCollection, into path: String, source: String, radiusMetres: Double, log: Logger) throws -> Summary {
        // validate everything before touching the disk
        var rows: [(id: Int64, name: String?, highway: String?, oneway: Bool, line: Geometry)] = []
        var referenceLength = 0.0
        var allHaveReference = true
        for (i, f) in fc.features.enumerated() {
            guard let g = f.geometry, case .lineString = g else {
                throw CLIError.badInput("\(source): features[\(i)].geometry: expected a LineString, got \(f.geometry?.typeName ?? "null")")
            }
            let id: Int64
            switch f.id {
            case .int(let v)?: id = v
            default: id = Int64(i + 1)
            }
            let p = f.properties
            rows.append((id, p?["name"]?.stringValue, p?["highway"]?.stringValue, p?["oneway"]?.boolValue ?? false, g))
            if let l = p?["length_m"]?.doubleValue { referenceLength += l } else { allHaveReference = false }
        }
        guard let envelope = Envelope.union(rows.map(\.line.envelope)) else { throw CLIError.badInput("\(source): no features") }
        let metric = try MetricMeasure(for: envelope)
        log.info("loading \(rows.count) segments into \(path); measuring in \(metric.crs)")

        let store = try SpatiaLiteStore(path: path, mode: .create)
        _ = try store.initializeSpatialMetadata()
        _ = try store.migrate(migrations)
        var total = 0.0
        try store.transaction {
            let insert = try store.prepare(
                "INSERT INTO streets(id, name, highway, oneway, length_m, geom) VALUES (?, ?, ?, ?, ?, GeomFromWKB(?, 4326))")
            for r in rows {
                let length = try metric.lengthMetres(r.line)
                total += length
                try insert.run([r.id, r.name, r.highway, r.oneway, length, r.line])
            }
        }
        try store.createSpatialIndex(table: "streets", column: "geom")  // after the load: faster than indexing row by row

        // Sample query: candidates from the R*Tree around the centre, exact distance in metres by GEOS.
        let centre = Geometry.point(x: envelope.center.x, y: envelope.center.y)
        let projectedCentre = try metric.project(centre)
        // the search box: the circle of the radius, drawn in metres and taken back to lon/lat
        let circle = try CoordinateTransform(from: metric.crs, to: .wgs84).apply(to: projectedCentre.buffered(by: radiusMetres))
        guard let box = circle.envelope else { throw CLIError.badInput("empty search area") }
        let ids = try store.rowids(inEnvelope: box, table: "streets", column: "geom")
        var near: [(id: Int64, name: String?, distanceM: Double)] = []
        let select = try store.prepare("SELECT name, AsBinary(geom) FROM streets WHERE id = ?")
        for id in ids {
            try select.bind([id])
            guard try select.step(), let g = try select.geometry(1) else { continue }
            let d = try metric.project(g).distance(to: projectedCentre)
            if d <= radiusMetres { near.append((id, try select.string(0), d)) }
        }
        near.sort { $0.distanceM < $1.distanceM }

        var classes: [String: Int] = [:]
        for r in rows { classes[r.highway ?? "(none)", default: 0] += 1 }
        let byClass = classes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(6).map { ($0.key, $0.value) }
        let count = try store.scalar("SELECT count(*) FROM streets").int ?? -1
        return Summary(
            database: path, source: source, segments: count, envelope: envelope,
            metricCRS: metric.crs.definition, metricCRSName: metric.crs.name, totalLengthM: total,
            referenceLengthM: allHaveReference ? referenceLength : nil, byClass: Array(byClass),
            radiusM: radiusMetres, nearCentre: near,
            indexValid: try store.checkSpatialIndex(table: "streets", column: "geom"),
            versions: SpatialLibraries.versions)
    }
}
