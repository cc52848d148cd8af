package extract

import "golang.org/x/net/html"

// extractBody is being written; see the package doc.
func extractBody(doc *html.Node, md *metadata) (string, []string) { return "", nil }
