package store

// This file fixes the store's types and methods that the monitor, the bot and
// the sanctions lists are written against. The bodies live in the other files.

import (
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
)

// Target names where an outbox row is delivered.
const (
	TargetConsole = "console"
	TargetWebhook = "webhook"
	// ChannelTarget("123") == "channel:123"
	channelPrefix = "channel:"
)

// SourceState is what the monitor remembers of a source between fetches.
type SourceState struct {
	Name         string
	ETag         string
	LastModified string
	LastFetch    time.Time // last attempt
	LastSuccess  time.Time
	LastStatus   string // "ok", "not-modified", "error"
	LastError    string
	Failures     int       // consecutive
	NextAttempt  time.Time // backoff: not before this
	Items        int       // items in the last successful fetch
	New          int       // new items in the last successful fetch
	Alerts       int       // alerts from the last successful fetch
}

// Item is one fetched feed entry or page link.
type Item struct {
	Key         string // dedup key: "guid:…", "url:…" (canonical) or "hash:…"
	Source      string
	GUID        string
	URL         string
	Title       string
	Published   time.Time
	Fingerprint uint64 // SimHash of title + lead, for near-duplicate stories
	// CanonicalURL is the article's URL in canonical form (see
	// StoriesByURL), "" when the item links to no article of its own.
	CanonicalURL string
}

// Story is a group of items that report the same thing.
type Story struct {
	ID          int64
	Fingerprint uint64
	FirstSeen   time.Time
	Source      string // the first source that carried it
}

// Batch is what one fetch of one source produced: stored in one transaction.
type Batch struct {
	Source string
	State  SourceState // saved with the batch
	Items  []BatchItem
}

// BatchItem is a new item, the story it belongs to, and the alerts it raised.
type BatchItem struct {
	Item    Item
	StoryID int64 // an existing story; 0 starts a new story with Item.Fingerprint
	// SameStoryAs, when StoryID is 0, is the key of another item whose story
	// this one joins: an earlier item of the same batch (whose story has no
	// ID yet) or one stored before. Unknown keys start a new story.
	SameStoryAs string
	Alerts      []Pending
}

// Pending is an alert to store together with the targets to deliver it to.
type Pending struct {
	Alert   alert.Alert
	Targets []string
}

// Delivery is one outbox row: one alert to one target.
type Delivery struct {
	ID          int64
	Target      string
	Alert       alert.Alert
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Created     time.Time
}

// Subscription routes alerts to a Discord channel.
type Subscription struct {
	ID          int64
	GuildID     string
	ChannelID   string
	Rule        string // "" = any rule
	Category    string // "" = any category
	MinSeverity string // "" = any severity
	CreatedBy   string
	Created     time.Time
	Paused      bool
	PauseReason string
	Failures    int // consecutive delivery failures
}

// Mute silences a rule in a guild until a time.
type Mute struct {
	ID        int64
	GuildID   string
	Rule      string
	Until     time.Time
	CreatedBy string
	Reason    string
	Created   time.Time
}

// AlertQuery searches past alerts.
type AlertQuery struct {
	Text  string // full-text (FTS5) query; "" = any
	Rule  string
	Since time.Time
	Limit int
}

// ListVersion is one fetched version of a sanctions list.
type ListVersion struct {
	ID        int64
	List      string
	Hash      string
	Count     int
	Payload   []byte // the parsed entries, encoded by the sanctions package
	Held      bool   // failed a guard (e.g. a >20% drop) and waits for confirmation
	Reason    string // why it is held
	FetchedAt time.Time
}
