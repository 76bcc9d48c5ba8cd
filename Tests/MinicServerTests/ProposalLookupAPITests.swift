import Foundation
import MinicTestSupport
import XCTest

/// The HTTP API takes a proposal's number or unique prefix like the CLI, and marks rolled-back merges.
final class ProposalLookupAPITests: XCTestCase {
    func testNumbersPrefixesAndRolledBackMergesOverHTTP() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        let patch = try served.templatePatch()
        let body = try String(decoding: JSONSerialization.data(withJSONObject: ["title": "api change", "patch": patch, "auto_merge": false]), as: UTF8.self)
        let made = try ServedHome.object(server.request("POST", "/v1/proposals", token: served.review, json: body).body)
        let id = try XCTUnwrap(made["id"] as? String)
        let head = try XCTUnwrap(made["head"] as? String)
        for query in ["1", "0001", "0001-api"] {
            let shown = server.request("GET", "/v1/proposals/\(query)", token: served.review)
            XCTAssertEqual(shown.status, 200, shown.body)
            XCTAssertEqual(try ServedHome.object(shown.body)["id"] as? String, id)
        }
        XCTAssertEqual(server.request("GET", "/v1/proposals/7", token: served.review).status, 404)
        let merged = try ServedHome.object(server.request("POST", "/v1/proposals/1/merge", token: served.review, json: #"{"expect": "\#(head)"}"#).body)
        XCTAssertEqual(merged["id"] as? String, id)
        let commit = try XCTUnwrap(merged["commit"] as? String)
        let previous = try XCTUnwrap(merged["previous_head"] as? String)
        XCTAssertEqual(server.request("POST", "/v1/rollback", token: served.review, json: #"{"to": "\#(previous)", "expect": "\#(commit)"}"#).status, 200)
        let listed = try ServedHome.object(server.request("GET", "/v1/proposals?status=merged", token: served.review).body)
        let proposals = try XCTUnwrap(listed["proposals"] as? [[String: Any]])
        XCTAssertEqual(proposals.map { $0["id"] as? String }, [id])
        XCTAssertEqual(proposals.first?["rolled_back"] as? Bool, true)
        XCTAssertEqual(try ServedHome.object(server.request("GET", "/v1/proposals/1", token: served.review).body)["rolled_back"] as? Bool, true)
    }
}
