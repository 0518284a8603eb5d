public import SpatialCore
public import UrbanStore
public import UrbanModel

/// Writes one feature of a `LayerReader` as GeoJSON text straight from its row: no `Feature` value, no JSON
/// parsing. The encoding of `urbangrid-export` and of the service's OGC API items: `id`, the geometry given
/// (already in the output CRS and wound as wanted), then `properties` with every column typed as stored and the
/// extra properties as imported. Not thread-safe (it borrows the reader's statement): one per reader.
public struct FeatureGeoJSONEncoder {
    public let reader: LayerReader
    private let encoder: GeoJSONEncoder
    private let keys: [[UInt8]]
    private static let featureStart = Array(#"{"type":"Feature","id":"#.utf8)
    private static let geometryStart = Array(#","geometry":"#.utf8)
    private static let propertiesStart = Array(#","properties":{"#.utf8)
    private static let null = Array("null".utf8)

    /// - Parameter precision: decimals per coordinate (see `GeoJSONEncoder`).
    public init(reader: LayerReader, precision: Int?) {
        self.reader = reader
        encoder = GeoJSONEncoder(precision: precision)
        keys = reader.columns.map { JSONText.quoted($0.name) + [0x3A] }
    }

    /// Appends the feature of `row` with `geometry` (nil: `"geometry":null`).
    /// - Parameter members: text appended inside the Feature object after `properties`, starting with a comma
    ///   (e.g. `,"links":[…]`); empty for none.
    public func append(_ row: LayerReader.Row, geometry: Geometry?, members: [UInt8] = [], to out: inout [UInt8]) {
        out.append(contentsOf: Self.featureStart)
        row.appendID(to: &out)
        out.append(contentsOf: Self.geometryStart)
        if let geometry { encoder.append(geometry, to: &out) } else { out.append(contentsOf: Self.null) }
        out.append(contentsOf: Self.propertiesStart)
        let columns = reader.splicesExtraProperties ? reader.tableColumns : keys.count
        for i in 0..<columns {
            if i > 0 { out.append(0x2C) }
            out.append(contentsOf: keys[i])
            row.appendJSON(i, to: &out)
        }
        // the extra properties as stored, in each feature's own order, absent ones absent
        if reader.splicesExtraProperties { row.appendExtraMembers(to: &out, comma: columns > 0) }
        out.append(0x7D)
        out.append(contentsOf: members)
        out.append(0x7D)
    }
}
