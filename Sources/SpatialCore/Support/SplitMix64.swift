/// The splitmix64 stream used by the peer benchmarks (`../shared/anchors/FORMAT.md`), so that tests and
/// benchmarks here run on exactly the same points as Shapely, PostGIS and SpatiaLite did.
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// `count` points uniform over the box: point i uses u(2i+1) for x and u(2i+2) for y,
    /// computed as `min + u * (max - min)` without fused multiply-add, as the recipe demands.
    public static func points(seed: UInt64, count: Int, in box: Envelope) -> [Coordinate] {
        var rng = SplitMix64(seed: seed)
        let w = box.maxX - box.minX, h = box.maxY - box.minY
        var out: [Coordinate] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let ux = rng.nextUnit(), uy = rng.nextUnit()
            let dx = ux * w, dy = uy * h  // separate multiply and add: no FMA
            out.append(Coordinate(box.minX + dx, box.minY + dy))
        }
        return out
    }
}
