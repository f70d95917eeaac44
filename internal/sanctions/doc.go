// Package sanctions parses the UN Security Council Consolidated List and the
// US OFAC SDN list, compares versions of them into designation changes, keeps
// versions in the store, and indexes every name for fuzzy lookup.
//
// # Lists
//
// A Syncer fetches a list through an Opener supplied by the caller, parses it
// with ParseUN or ParseOFAC, and compares it with the active version in the
// store. A truncated or malformed file is rejected whole, so the previous
// version stays active and no delisting comes from half a file; an OFAC file
// cut at a line boundary still parses, so once a version's files ended with
// OFAC's end-of-file mark (0x1A), a file without it is rejected as truncated.
// The first version of a list is a baseline without alerts; a version that
// removes more than MaxDrop (20%) of the active entries at once (counting
// removals, not the net change) is held until Confirm; every other
// change (added, removed, amended names or aliases) becomes one alert of
// category "designation", stored with the version in one transaction.
//
// # Name search
//
// NewIndex indexes every primary name, alias and original-script name. Names
// and queries are normalized alike (normalize.go): NFKC, case folding,
// diacritics and apostrophes removed, punctuation and hyphens as spaces,
// leading honorifics and trailing legal forms dropped, "SURNAME, Given"
// indexed in both orders, Korean romanizations unified (Jŏng, Jeong, Chong
// and Jung; Lee, Rhee and Ri; Park and Pak), and names written with and
// without spaces ("Kim Jongun") matched as one. A query in Hangul or Cyrillic
// is also transliterated (김정은 finds KIM Jong Un, Пригожин finds PRIGOZHIN),
// its matches scored 0.99 of an exact one.
//
// A query is scored against each candidate name by token: each query token is
// paired with its most similar name token (Jaro–Winkler, stretched so that
// only close spellings count), and the score is 0.6 × the share of the query
// found in the name plus 0.4 × the share of the name found in the query, each
// share weighted by token rarity (IDF), so a missing "Kim" or "Trading" costs
// less than a missing rare surname. An initial ("M. Qadhafi") weighs little
// and stands for any name starting with it. Low-quality aliases score 0.9 of
// that. Short tokens (2 to 5 letters), where one typo breaks most trigrams,
// also pair with tokens one edit away ("Kim Jong Um", "Kin Jong Un", "Credit
// Bnak"), at a similarity of at least 0.6, so that they count only when the
// rest of the name matches well; a misspelled token the index does not know
// weighs as the token it misspells. The score is then scaled by the
// evidence of the matched tokens, Σ similarity × rarity²: a match on common
// tokens alone ("Hassan", "Mohammed Ali", "Ri") stays below the threshold
// however complete, while one rare token ("KOMID", "Taliban") suffices.
// Candidates come from an inverted index over tokens, with similar tokens
// found through a trigram index of the vocabulary; query tokens too common to
// matter are skipped when no name missing them could reach the threshold, so
// a search scores tens to hundreds of names, not all of them. IMO numbers
// ("IMO 9187629" or the seven digits) and reference numbers ("KPi.077") find
// their entry directly.
//
// DefaultMinScore (0.80) comes from the evaluation in eval_test.go over UN
// 2026 + OFAC 2021: at 0.80 generated spelling variants are found first 98%
// of the time and 0.7% of 280 names on no list reach it; at 0.75 recall@1
// rises to 98.9% but false positives to 1.1%; at 0.85 recall@1 falls to 95%.
//
// # Names in the news
//
// WatchTerms selects the names and good aliases fit for finding in news text
// (see watch.go for the rules) for the rule engine's watchlist groups.
package sanctions
