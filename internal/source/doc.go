// Package source fetches what embargo watches and turns it into items: feeds
// (RSS, Atom, JSON Feed), the links on plain HTML pages, and the main text of
// articles.
//
// A Fetcher does the HTTP side the way a polite, careful feed reader should:
// one shared client, conditional GET, a timeout and a body cap on every
// request, Retry-After on 429 and 503, a concurrency limit per host and in
// all, and the netguard policy on every address it dials, redirects included.
// The parsing functions (ParseFeed, ParseLinks, ExtractArticle) work on bytes,
// so they can be tested and fuzzed without a network.
package source
