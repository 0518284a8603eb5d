import Testing
@testable import UrbanModel

@Test func layerNamesFollowTheCLIContract() {
    #expect(UrbanModel.Layer.allCases.map(\.rawValue) == ["admin", "streets", "vendor-zones", "hazards", "stations", "pois", "demand", "chiefs", "grids"])
}
