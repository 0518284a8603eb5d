import ArgumentParser
import CommandSupport
import Foundation
import SpatialCore
import UrbanModel
import UrbanStore

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The users of the case loop: add (prints a bearer token once), list, revoke.",
        subcommands: [Add.self, List.self, Revoke.self])

    static func store(_ city: CityArgument, readOnly: Bool) throws -> any UserStore {
        let store = try city.open(readOnly: readOnly)
        guard let users = store as? any UserStore else { throw CLIError.badInput("\(store.displayName) keeps no users") }
        return users
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user and print its bearer token (shown this once: only a salted hash is kept).",
            discussion: """
                Roles: supervisor 监督员, operator 受理员, shift_leader 值班长, dispatcher 派遣员, department 专业部门 (with \
                --department), viewer (read only), admin. --district CODE (6, 9 or 12 digits) limits the user to cases under \
                that code. The token goes to standard output only, never to a log.
                """)
        @OptionGroup var city: CityArgument
        @Option(help: "The user's name (unique).") var name: String
        @Option(help: "supervisor, operator, shift_leader, dispatcher, department, viewer or admin.") var role: String
        @Option(help: ArgumentHelp("The department of a department user.", valueName: "ID")) var department: String?
        @Option(help: ArgumentHelp("Limit to cases under this district, street or community code.", valueName: "CODE")) var district: String?
        @OptionGroup var output: FormatOption

        func run() throws {
            guard let role = CaseWorkflow.Role(rawValue: role) else {
                throw CLIError.badInput("--role '\(role)': one of \(CaseWorkflow.Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (user, token) = try Users.store(city, readOnly: false).addUser(name: name, role: role, departmentID: department, district: district)
            var out = StandardOutput()
            switch output.format {
            case .json:
                guard case .object(var o) = user.json else { return }
                o["token"] = .string(token.text)
                out.line(JSONValue.object(o).jsonText)
            case .table:
                out.line("user \(user.name) (\(user.role.rawValue)) added; its bearer token, shown this once:")
                out.line(token.text)
            }
            out.flush()
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every user with role, department, district and whether active (never a token).")
        @OptionGroup var city: CityArgument
        @OptionGroup var output: FormatOption

        func run() throws {
            let users = try Users.store(city, readOnly: true).users()
            var out = StandardOutput()
            switch output.format {
            case .json: out.line(JSONValue.array(users.map(\.json)).jsonText)
            case .table:
                let rows = users.map { [$0.name, $0.role.rawValue, $0.departmentID ?? "", $0.district ?? "", $0.createdAt, $0.revokedAt ?? "active"] }
                for l in TextTable.lines(["name", "role", "department", "district", "created", "revoked"], rows) { out.line(l) }
            }
            out.flush()
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a user's token (the user stays in the records and the case history).")
        @OptionGroup var city: CityArgument
        @Argument(help: "The user's name.") var name: String
        @OptionGroup var output: FormatOption

        func run() throws {
            let user = try Users.store(city, readOnly: false).revokeUser(name: name)
            var out = StandardOutput()
            switch output.format {
            case .json: out.line(user.json.jsonText)
            case .table: out.line("user \(user.name) revoked at \(user.revokedAt ?? "")")
            }
            out.flush()
        }
    }
}
