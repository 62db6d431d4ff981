import HTTPTypes
package import Hummingbird

/// The web dashboard every agent serves at `/ui`: plain HTML, CSS and one script compiled
/// into the binary, so it works on a machine without internet and needs no build step.
///
/// The three files carry no cluster data and are served without a token (a browser cannot
/// send one when it opens a page); every piece of data the page shows comes from the API
/// with the same bearer token as any client, which the page asks for once, or takes from
/// `/ui#token=…`, and keeps in the tab's session storage.
package enum Dashboard {
    /// Paths served without a token.
    static let paths: Set<String> = ["/ui", "/ui/", "/ui/dashboard.css", "/ui/dashboard.js"]

    /// Scripts and styles only from the agent itself, no inline script, no framing.
    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        .cacheControl: "no-cache",
    ]

    static func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/ui") { _, _ in asset(page, type: "text/html; charset=utf-8") }
        router.get("/ui/dashboard.css") { _, _ in asset(style, type: "text/css; charset=utf-8") }
        router.get("/ui/dashboard.js") { _, _ in asset(script, type: "text/javascript; charset=utf-8") }
    }

    private static func asset(_ text: String, type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
