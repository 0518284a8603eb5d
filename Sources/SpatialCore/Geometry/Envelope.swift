/// An axis-aligned bounding box in the coordinates' own units.
public struct Envelope: Hashable, Sendable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// The envelope of all the non-nil envelopes given, or nil when there are none.
    public static func union(_ envelopes: some Sequence<Envelope?>) -> Envelope? {
        var out: Envelope?
        for case let e? in envelopes { if out == nil { out = e } else { out!.expand(toInclude: e) } }
        return out
    }

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public var center: Coordinate { Coordinate((minX + maxX) / 2, (minY + maxY) / 2) }

    public mutating func expand(toInclude c: Coordinate) {
        if c.x < minX { minX = c.x }
        if c.x > maxX { maxX = c.x }
        if c.y < minY { minY = c.y }
        if c.y > maxY { maxY = c.y }
    }

    public mutating func expand(toInclude e: Envelope) {
        minX = Swift.min(minX, e.minX)
        minY = Swift.min(minY, e.minY)
        maxX = Swift.max(maxX, e.maxX)
        maxY = Swift.max(maxY, e.maxY)
    }

    public func intersects(_ o: Envelope) -> Bool {
        minX <= o.maxX && o.minX <= maxX && minY <= o.maxY && o.minY <= maxY
    }

    public func contains(_ c: Coordinate) -> Bool {
        c.x >= minX && c.x <= maxX && c.y >= minY && c.y <= maxY
    }

    /// The envelope as a closed polygon (counter-clockwise).
    public var polygon: Polygon {
        Polygon(exterior: LinearRing(unchecked: [
            Coordinate(minX, minY), Coordinate(maxX, minY), Coordinate(maxX, maxY), Coordinate(minX, maxY), Coordinate(minX, minY),
        ]))
    }
}
