import Testing
@testable import UrbanModel

/// Classes by (kind, code) over the shipped tables (names from domain-facts §1.3, checked by hand against
/// GeoData/codes/components.csv and events.csv).
@Suite struct ClassCatalogTests {
    let catalog: ClassCatalog

    init() throws {
        catalog = ClassCatalog(components: try ClassCodeTable(contentsOfFile: CodesTestData.path("components.csv")),
                               events: try ClassCodeTable(contentsOfFile: CodesTestData.path("events.csv")))
    }

    @Test func equalCodesNameDifferentClasses() {
        #expect(catalog.name(kind: .component, code: "0101") == "上水井盖")
        #expect(catalog.name(kind: .event, code: "0101") == "私搭乱建")
        #expect(catalog.name(kind: .component, code: "0401") == "古树名木")
        #expect(catalog.name(kind: .event, code: "0401") == "路面塌陷")
        #expect(catalog.name(kind: .component, code: "0118") == "路灯")
        #expect(catalog.name(kind: .event, code: "0118") == nil)
        #expect(catalog.name(kind: .event, code: "0504") == "店外经营")
        #expect(catalog.name(kind: .component, code: "0601") == "重大危险源")
        #expect(catalog.name(kind: .component, code: "01") == "公用设施" && catalog.name(kind: .event, code: "01") == "市容环境")
        #expect(catalog.kinds(of: "0101") == [.component, .event])
        #expect(catalog.kinds(of: "0601") == [.component] && catalog.kinds(of: "0505") == [.event] && catalog.kinds(of: "9999").isEmpty)
        #expect(!catalog.isEmpty && ClassCatalog().isEmpty)
    }

    @Test func kindsAreInferredOnlyWhenCertain() {
        #expect(catalog.inferKind(code: "0118", hasComponentID: false) == .success(.component))
        #expect(catalog.inferKind(code: "0505", hasComponentID: false) == .success(.event))
        #expect(catalog.inferKind(code: "0101", hasComponentID: true) == .success(.component))  // a component ID: a component
        #expect(catalog.inferKind(code: "0101", hasComponentID: false) == .failure(.ambiguous(component: "上水井盖", event: "私搭乱建")))
        #expect(catalog.inferKind(code: "0103", hasComponentID: false) == .failure(.ambiguous(component: "雨水井盖", event: "积存垃圾渣土")))
        #expect(catalog.inferKind(code: "7777", hasComponentID: false) == .failure(.unknown))
    }

    @Test func kindsAsWritten() {
        #expect(CaseWorkflow.Kind(text: "component") == .component && CaseWorkflow.Kind(text: "部件") == .component)
        #expect(CaseWorkflow.Kind(text: "Event") == .event && CaseWorkflow.Kind(text: " 事件 ") == .event)
        #expect(CaseWorkflow.Kind(text: "thing") == nil && CaseWorkflow.Kind(text: "") == nil)
        #expect(CaseWorkflow.Kind.component.nameZH == "部件" && CaseWorkflow.Kind.event.nameZH == "事件")
    }

    /// A case's class is checked as (kind, code) when tables are loaded; none loaded: nothing is checked.
    @Test func caseClassesAreCheckedByKind() throws {
        try CaseDesk.checkClass(kind: .event, code: "0101", in: catalog)
        try CaseDesk.checkClass(kind: .component, code: "0601", in: catalog)
        #expect(throws: CaseError.invalid(field: "class_code", reason: "'0601' is not in the event (事件) table of this city (it is a component class, 重大危险源: is kind wrong?)")) {
            try CaseDesk.checkClass(kind: .event, code: "0601", in: catalog)
        }
        #expect(throws: CaseError.invalid(field: "class_code", reason: "'7777' is not in the component (部件) table of this city")) {
            try CaseDesk.checkClass(kind: .component, code: "7777", in: catalog)
        }
        try CaseDesk.checkClass(kind: .event, code: "7777", in: ClassCatalog())
    }
}
