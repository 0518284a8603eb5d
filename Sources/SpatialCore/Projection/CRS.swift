internal import CPROJ

/// A coordinate reference system: anything PROJ accepts (`EPSG:n`, a PROJ string, WKT, `OGC:CRS84`),
/// or one of the Chinese web-map pseudo-CRS `GCJ02` / `BD09` (offsets of WGS84 lon/lat that PROJ
/// does not implement). At UrbanGrid's API coordinates are always x = lon/easting, y = lat/northing.
public struct CRS: Hashable, Sendable, CustomStringConvertible {
    /// The text as given (trimmed), e.g. "EPSG:4547" or "GCJ02".
    public let definition: String
    /// Set for GCJ02 / BD09.
    public let offsetSystem: ChinaOffsetSystem?

    public static let wgs84 = CRS(unchecked: "EPSG:4326")
    public static let webMercator = CRS(unchecked: "EPSG:3857")
    public static let gcj02 = CRS(offset: .gcj02)
    public static let bd09 = CRS(offset: .bd09)

    public static func epsg(_ code: Int) -> CRS { CRS(unchecked: "EPSG:\(code)") }

    init(unchecked definition: String) {
        self.definition = definition
        offsetSystem = nil
    }

    init(offset: ChinaOffsetSystem) {
        definition = offset.rawValue
        offsetSystem = offset
    }

    /// Parses and checks a CRS text with PROJ. Bare numbers are read as EPSG codes.
    /// - Throws: `SpatialError.unknownCRS` with PROJ's own message.
    public init(_ text: String) throws {
        let t = text.trimmingSpaces
        if let o = ChinaOffsetSystem(name: t) {
            self.init(offset: o)
            return
        }
        let def = t.allSatisfy(\.isNumber) && !t.isEmpty ? "EPSG:\(t)" : t
        let ctx = PROJContext()
        guard let pj = proj_create(ctx.ctx, def) else {
            throw SpatialError.unknownCRS(t + (ctx.lastMessage.map { " (\($0))" } ?? ""))
        }
        defer { proj_destroy(pj) }
        // PROJ strings without +type=crs describe operations; proj_create_crs_to_crs still takes
        // +proj=longlat/utm/tmerc... definitions, so accept those that PROJ reads as a CRS once
        // +type=crs is added (pipelines, axisswap, helmert... stay operations and are refused).
        guard proj_is_crs(pj) == 1 || Self.isCRSWithTypeCRS(ctx, def) else {
            throw SpatialError.unknownCRS("\(t) (not a coordinate reference system)")
        }
        self.init(unchecked: def)
    }

    private static func isCRSWithTypeCRS(_ ctx: PROJContext, _ def: String) -> Bool {
        guard def.hasPrefix("+proj=") || def.hasPrefix("proj=") else { return false }
        guard let pj = proj_create(ctx.ctx, def + " +type=crs") else { return false }
        defer { proj_destroy(pj) }
        return proj_is_crs(pj) == 1
    }

    public var description: String { definition }

    /// Degrees (lon/lat) rather than metres. GCJ02/BD09 are geographic.
    public var isGeographic: Bool {
        if offsetSystem != nil { return true }
        let ctx = PROJContext()
        guard let pj = proj_create(ctx.ctx, definition) else { return false }
        defer { proj_destroy(pj) }
        switch proj_get_type(pj) {
        case PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_GEOGRAPHIC_CRS: return true
        case PJ_TYPE_BOUND_CRS, PJ_TYPE_COMPOUND_CRS: return false
        default: return definition.contains("+proj=longlat") || definition.contains("+proj=lonlat")
        }
    }

    /// PROJ's name for it, e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 114E".
    public var name: String {
        if let o = offsetSystem { return o == .gcj02 ? "GCJ-02 (WGS84 with the Chinese offset)" : "BD-09 (Baidu)" }
        let ctx = PROJContext()
        guard let pj = proj_create(ctx.ctx, definition) else { return definition }
        defer { proj_destroy(pj) }
        return proj_get_name(pj).map { String(cString: $0) } ?? definition
    }

    /// The EPSG code when PROJ knows this CRS by one (`EPSG:4547` → 4547; nil for GCJ02/BD09 and custom
    /// PROJ strings).
    public var epsgCode: Int? {
        guard offsetSystem == nil else { return nil }
        let ctx = PROJContext()
        guard let pj = proj_create(ctx.ctx, definition) else { return nil }
        defer { proj_destroy(pj) }
        guard let auth = proj_get_id_auth_name(pj, 0).map({ String(cString: $0) }), auth == "EPSG",
              let code = proj_get_id_code(pj, 0).map({ String(cString: $0) }) else { return nil }
        return Int(code)
    }

    /// OGC WKT (WKT1 as GDAL writes it, which every GIS reads) of the CRS; GCJ02/BD09 give WGS84's, since
    /// their coordinates are WGS84 lon/lat shifted by an offset no CRS definition can express.
    public var wkt: String? {
        let ctx = PROJContext()
        guard let pj = proj_create(ctx.ctx, offsetSystem == nil ? definition : "EPSG:4326") else { return nil }
        defer { proj_destroy(pj) }
        return proj_as_wkt(ctx.ctx, pj, PJ_WKT1_GDAL, nil).map { String(cString: $0) }
    }

    /// True when both name the same CRS text (case-insensitive).
    func sameDefinition(as other: CRS) -> Bool {
        definition.uppercased() == other.definition.uppercased()
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// Owns one PJ_CONTEXT and captures PROJ's log instead of letting it print to stderr.
final class PROJContext {
    let ctx: OpaquePointer
    private(set) var messages: [String] = []

    init() {
        guard let c = proj_context_create() else { fatalError("proj_context_create: out of memory") }
        ctx = c
        proj_log_func(ctx, Unmanaged.passUnretained(self).toOpaque()) { userdata, _, msg in
            guard let userdata, let msg else { return }
            Unmanaged<PROJContext>.fromOpaque(userdata).takeUnretainedValue().messages.append(String(cString: msg))
        }
        _ = proj_log_level(ctx, PJ_LOG_ERROR)
        _ = proj_context_set_enable_network(ctx, 0)  // never reach for grids on the network
    }

    deinit { proj_context_destroy(ctx) }

    var lastMessage: String? { messages.last }

    func error(_ what: String) -> SpatialError {
        let code = Int(proj_context_errno(ctx))
        let msg = messages.last ?? proj_context_errno_string(ctx, Int32(code)).map { String(cString: $0) } ?? "unknown error"
        return .proj(code: code, message: "\(what): \(msg)")
    }
}
