package source

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// trackingParams are query parameters that identify the click, not the page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true,
	"igshid": true, "igsh": true, "ref": true, "ref_src": true, "ref_url": true,
	"cmpid": true, "ocid": true, "smid": true, "sr_share": true, "s_cid": true,
	"icid": true, "cmp": true, "spm": true, "_ga": true,
	"oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "wt_mc": true,
	"__twitter_impression": true, "at_medium": true, "at_campaign": true,
}

// trackingPrefixes catch families of tracking parameters.
var trackingPrefixes = []string{"utm_", "pk_", "mtm_"}

func isTracking(param string) bool {
	lower := strings.ToLower(param)
	if trackingParams[lower] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// CanonicalURL is the form of a URL used to recognise the same page behind
// different links: scheme and host in lower case, default port, fragment and
// tracking parameters (utm_*, fbclid, gclid, mc_cid, ref, …) dropped, the
// remaining query parameters sorted, an empty path written "/". A string
// that does not parse as an absolute URL is returned trimmed.
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = canonicalHost(u.Scheme, u.Host)
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawQuery = canonicalQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String()
}

func canonicalHost(scheme, host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		return strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		return strings.TrimSuffix(host, ":443")
	}
	return host
}

// canonicalQuery drops tracking parameters and sorts the rest by key, the
// values of one key keeping their order.
func canonicalQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	values, _ := url.ParseQuery(rawQuery) // keeps what parses
	for key := range values {
		if isTracking(key) {
			delete(values, key)
		}
	}
	return values.Encode()
}

// ItemKey identifies an item within its source, so that it is processed
// once: "guid:<guid>", else "url:<canonical URL>", else "hash:<sha256 of
// title and summary>". GUIDs are only unique within a feed; callers that
// store keys from many sources scope them by source.
func ItemKey(it Item) string {
	if guid := strings.TrimSpace(it.GUID); guid != "" {
		return "guid:" + guid
	}
	if it.URL != "" {
		return "url:" + CanonicalURL(it.URL)
	}
	sum := sha256.Sum256([]byte(it.Title + "\n" + it.Summary))
	return "hash:" + hex.EncodeToString(sum[:])
}
