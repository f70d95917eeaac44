package sanctions

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/embargo-watch/embargo/internal/alert"
	"github.com/embargo-watch/embargo/internal/store"
	"github.com/embargo-watch/embargo/rules"
)

// DefaultMaxDrop is the share of entries a new version may lose at once
// before it is held for confirmation instead of applied.
const DefaultMaxDrop = 0.20

// ErrNoVersion means a list has never been synced.
var ErrNoVersion = errors.New("no version of the list has been synced")

// ErrTruncated means a list file lacks the end that its publisher writes.
var ErrTruncated = errors.New("list file truncated")

// Opener opens a list file by URL or path. The caller supplies it: over HTTP
// with a timeout and a size cap, or from the local disk.
type Opener func(ctx context.Context, url string) (io.ReadCloser, error)

// Syncer fetches lists, compares each with its active version in the store,
// and stores new versions together with their designation alerts.
type Syncer struct {
	Store   *store.DB
	Open    Opener
	Log     *slog.Logger
	MaxDrop float64          // 0 means DefaultMaxDrop
	Now     func() time.Time // nil means time.Now
}

// Result is what one sync did.
type Result struct {
	List      string
	Count     int      // entries in the fetched version
	Baseline  bool     // the first version of the list: stored, no alerts
	Held      bool     // stored but not applied, waiting for Confirm
	Reason    string   // why it is held
	Changes   []Change // applied changes (for a held version: none)
	Unchanged bool     // identical to the active version: nothing stored
	VersionID int64    // the stored version, 0 when nothing was stored
}

// Sync fetches and parses list l and applies it. A fetch or parse error
// stores nothing and keeps the active version: the caller retries later; so
// does an OFAC file without the end-of-file mark that the active version's
// files had (a file cut at a line boundary parses). The first version is a
// baseline without alerts. A version that removes more than MaxDrop of the
// active entries is stored held, without alerts. Otherwise the version
// becomes active together with one designation alert per change, queued
// for targets(alert).
func (s *Syncer) Sync(ctx context.Context, l rules.List, targets func(alert.Alert) []string) (Result, error) {
	res := Result{List: l.Name}
	got, err := s.fetch(ctx, l)
	if err != nil {
		s.log().Warn("list sync failed; the active version stays", "list", l.Name, "err", err)
		return res, fmt.Errorf("sync list %s: %w", l.Name, err)
	}
	res.Count = len(got.Entries)
	v, err := s.newVersion(l.Name, got)
	if err != nil {
		return res, err
	}
	active, ok, err := s.Store.LatestListVersion(ctx, l.Name)
	if err != nil {
		return res, fmt.Errorf("sync list %s: %w", l.Name, err)
	}
	if !ok {
		res.Baseline = true
		return s.save(ctx, res, v, nil)
	}
	old, err := decodeSnapshot(active.Payload)
	if err != nil {
		return res, fmt.Errorf("sync list %s: active version %d: %w", l.Name, active.ID, err)
	}
	if err := checkEOFMarks(old.EOFMarked, got.EOFMarked); err != nil {
		s.log().Warn("list sync failed; the active version stays", "list", l.Name, "err", err)
		return res, fmt.Errorf("sync list %s: %w", l.Name, err)
	}
	if active.Hash == v.Hash {
		res.Unchanged = true
		return s.supersedeHeld(ctx, res, v)
	}
	changes := Diff(old.Entries, got.Entries)
	if reason := s.dropReason(len(old.Entries), countKind(changes, Removed)); reason != "" {
		return s.hold(ctx, res, v, reason)
	}
	res.Changes = changes
	return s.save(ctx, res, v, designationAlerts(l, res.Changes, targets, s.now()))
}

// checkEOFMarks rejects files that lack the end-of-file mark the previous
// version's files ended with. Files that never had it (made by hand, or by
// another publisher) are taken as they are.
func checkEOFMarks(before, now []string) error {
	for _, file := range before {
		if !slices.Contains(now, file) {
			return fmt.Errorf("%s: %w: it does not end with the end-of-file mark (0x1A) that the active version's file had", file, ErrTruncated)
		}
	}
	return nil
}

func countKind(changes []Change, kind string) int {
	n := 0
	for _, c := range changes {
		if c.Kind == kind {
			n++
		}
	}
	return n
}

// Confirm applies the held version of list l: it becomes active, and its
// changes against the version active until now raise their alerts, stored
// in the same transaction.
func (s *Syncer) Confirm(ctx context.Context, l rules.List, targets func(alert.Alert) []string) (Result, error) {
	res := Result{List: l.Name}
	held, ok, err := s.Store.HeldListVersion(ctx, l.Name)
	if err != nil {
		return res, fmt.Errorf("confirm list %s: %w", l.Name, err)
	}
	if !ok {
		return res, fmt.Errorf("confirm list %s: no held version", l.Name)
	}
	entries, err := decodeEntries(held.Payload)
	if err != nil {
		return res, fmt.Errorf("confirm list %s: held version %d: %w", l.Name, held.ID, err)
	}
	old, err := s.Load(ctx, l.Name)
	if err != nil && !errors.Is(err, ErrNoVersion) {
		return res, fmt.Errorf("confirm list %s: %w", l.Name, err)
	}
	res.Count = len(entries)
	res.Changes = Diff(old, entries)
	// The held row stays as the record of what was held; a copy of it
	// becomes the active version, atomically with its alerts.
	v := held
	v.ID, v.Held, v.Reason, v.FetchedAt = 0, false, fmt.Sprintf("confirmed held version %d", held.ID), s.now()
	s.log().Info("held list version confirmed", "list", l.Name, "version", held.ID, "changes", len(res.Changes))
	return s.save(ctx, res, v, designationAlerts(l, res.Changes, targets, s.now()))
}

// Load returns the entries of the active version of a list, or ErrNoVersion.
func (s *Syncer) Load(ctx context.Context, list string) ([]Entry, error) {
	v, ok, err := s.Store.LatestListVersion(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("load list %s: %w", list, err)
	}
	if !ok {
		return nil, fmt.Errorf("load list %s: %w", list, ErrNoVersion)
	}
	entries, err := decodeEntries(v.Payload)
	if err != nil {
		return nil, fmt.Errorf("load list %s: version %d: %w", list, v.ID, err)
	}
	return entries, nil
}

// LoadAll returns the active entries of every list that has been synced,
// for NewIndex and WatchTerms; lists never synced are skipped.
func (s *Syncer) LoadAll(ctx context.Context, lists []rules.List) ([]Entry, error) {
	var all []Entry
	for _, l := range lists {
		entries, err := s.Load(ctx, l.Name)
		if errors.Is(err, ErrNoVersion) {
			continue
		}
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
	}
	return all, nil
}

func (s *Syncer) save(ctx context.Context, res Result, v store.ListVersion, alerts []store.Pending) (Result, error) {
	id, err := s.Store.SaveListVersion(ctx, v, alerts)
	if err != nil {
		return res, fmt.Errorf("sync list %s: %w", v.List, err)
	}
	res.VersionID = id
	s.log().Info("list version stored", "list", v.List, "version", id, "entries", v.Count,
		"baseline", res.Baseline, "changes", len(res.Changes), "alerts", len(alerts))
	return res, nil
}

// supersedeHeld handles a fetch equal to the active version while a held
// version waits: the upstream recovered, so the held version must no longer
// be confirmable. Storing the fetch again as active makes it older than the
// active version.
func (s *Syncer) supersedeHeld(ctx context.Context, res Result, v store.ListVersion) (Result, error) {
	held, ok, err := s.Store.HeldListVersion(ctx, v.List)
	if err != nil {
		return res, fmt.Errorf("sync list %s: %w", v.List, err)
	}
	if !ok {
		return res, nil
	}
	s.log().Info("list back to its active version; the held version is superseded", "list", v.List, "held", held.ID)
	return s.save(ctx, res, v, nil)
}

func (s *Syncer) hold(ctx context.Context, res Result, v store.ListVersion, reason string) (Result, error) {
	res.Held, res.Reason = true, reason
	if held, ok, err := s.Store.HeldListVersion(ctx, v.List); err != nil {
		return res, fmt.Errorf("sync list %s: %w", v.List, err)
	} else if ok && held.Hash == v.Hash {
		res.VersionID = held.ID // already held and reported
		return res, nil
	}
	v.Held, v.Reason = true, reason
	s.log().Warn("list version held for confirmation", "list", v.List, "reason", reason)
	return s.save(ctx, res, v, nil)
}

// dropReason explains why a version that removes removed of the active
// version's before entries must be held, or returns "". It counts removals,
// not the net change: a version that drops a quarter of the list and adds
// as many new entries is as suspect as one that only drops them.
func (s *Syncer) dropReason(before, removed int) string {
	maxDrop := s.MaxDrop
	if maxDrop <= 0 {
		maxDrop = DefaultMaxDrop
	}
	if before == 0 || float64(removed) <= maxDrop*float64(before) {
		return ""
	}
	return fmt.Sprintf("%d of %d entries removed (%.1f%%, more than %.0f%%)",
		removed, before, 100*float64(removed)/float64(before), 100*maxDrop)
}

func (s *Syncer) newVersion(list string, got snapshot) (store.ListVersion, error) {
	payload, hash, err := encodeSnapshot(got)
	if err != nil {
		return store.ListVersion{}, fmt.Errorf("sync list %s: %w", list, err)
	}
	return store.ListVersion{List: list, Hash: hash, Count: len(got.Entries), Payload: payload, FetchedAt: s.now()}, nil
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Syncer) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Fetch opens and parses list l by its format; any error rejects the whole
// list.
func (s *Syncer) Fetch(ctx context.Context, l rules.List) ([]Entry, error) {
	got, err := s.fetch(ctx, l)
	return got.Entries, err
}

func (s *Syncer) fetch(ctx context.Context, l rules.List) (snapshot, error) {
	switch strings.ToLower(l.Format) {
	case "un":
		rc, err := s.Open(ctx, l.URL)
		if err != nil {
			return snapshot{}, fmt.Errorf("open %s: %w", l.URL, err)
		}
		defer rc.Close()
		entries, err := ParseUN(rc, l.Name)
		return snapshot{Entries: entries}, err
	case "ofac":
		return s.fetchOFAC(ctx, l)
	default:
		return snapshot{}, fmt.Errorf("unknown list format %q", l.Format)
	}
}

// ofacFiles are the files of the OFAC list, named as in the snapshot.
var ofacFiles = []string{"sdn", "add", "alt"}

// fetchOFAC opens sdn.csv and the add.csv and alt.csv beside it. All three
// are required here: a version without its aliases would read as every
// alias removed. It notes which files end with the end-of-file mark.
func (s *Syncer) fetchOFAC(ctx context.Context, l rules.List) (snapshot, error) {
	var files [3]*eofMarkReader
	for i, kind := range ofacFiles {
		u, err := SiblingURL(l.URL, kind)
		if err != nil {
			return snapshot{}, err
		}
		rc, err := s.Open(ctx, u)
		if err != nil {
			return snapshot{}, fmt.Errorf("open %s: %w", u, err)
		}
		defer rc.Close()
		files[i] = &eofMarkReader{r: rc}
	}
	entries, err := ParseOFAC(files[0], files[1], files[2], l.Name)
	if err != nil {
		return snapshot{}, err
	}
	got := snapshot{Entries: entries}
	for i, kind := range ofacFiles {
		if files[i].marked() {
			got.EOFMarked = append(got.EOFMarked, kind+".csv")
		}
	}
	return got, nil
}

// eofMarkReader remembers whether the file read through it ended with the
// DOS end-of-file mark (0x1A) that OFAC writes after the last line.
type eofMarkReader struct {
	r    io.Reader
	last byte // the last byte read other than white space
}

func (m *eofMarkReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	for i := n - 1; i >= 0; i-- {
		if c := p[i]; c != '\r' && c != '\n' && c != ' ' && c != '\t' {
			m.last = c
			break
		}
	}
	return n, err
}

func (m *eofMarkReader) marked() bool { return m.last == 0x1a }

// SiblingURL derives the URL of an OFAC file from the URL of sdn.csv by
// replacing "sdn" in its last path element with kind ("add", "alt"), keeping
// the case: …/sdn.csv → …/add.csv, …/SDN.CSV → …/ADD.CSV.
func SiblingURL(sdnURL, kind string) (string, error) {
	path, query, _ := strings.Cut(sdnURL, "?")
	slash := strings.LastIndexAny(path, `/\`) + 1
	dir, base := path[:slash], path[slash:]
	var replaced string
	switch {
	case strings.Contains(base, "sdn"):
		replaced = strings.Replace(base, "sdn", strings.ToLower(kind), 1)
	case strings.Contains(base, "SDN"):
		replaced = strings.Replace(base, "SDN", strings.ToUpper(kind), 1)
	default:
		return "", fmt.Errorf("OFAC list URL %q: the file name has no \"sdn\" to derive %s.csv from", sdnURL, kind)
	}
	if query != "" {
		return dir + replaced + "?" + query, nil
	}
	return dir + replaced, nil
}

// snapshot is what a stored version holds: the entries, and the files that
// ended with an end-of-file mark, so that the next version's files can be
// held to it.
type snapshot struct {
	EOFMarked []string `json:"eof_marked,omitempty"`
	Entries   []Entry  `json:"entries"`
}

// encodeSnapshot is the payload of a stored version: gzipped JSON, and the
// SHA-256 of the entries' JSON, which tells identical versions apart from
// changed ones.
func encodeSnapshot(snap snapshot) (payload []byte, hash string, err error) {
	entries, err := json.Marshal(snap.Entries)
	if err != nil {
		return nil, "", fmt.Errorf("encode entries: %w", err)
	}
	sum := sha256.Sum256(entries)
	raw, err := json.Marshal(struct {
		EOFMarked []string        `json:"eof_marked,omitempty"`
		Entries   json.RawMessage `json:"entries"`
	}{snap.EOFMarked, entries})
	if err != nil {
		return nil, "", fmt.Errorf("encode version: %w", err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		return nil, "", fmt.Errorf("compress entries: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, "", fmt.Errorf("compress entries: %w", err)
	}
	return buf.Bytes(), hex.EncodeToString(sum[:]), nil
}

// decodeSnapshot reads a payload, also in its first form: the entries alone
// as a JSON array.
func decodeSnapshot(payload []byte) (snapshot, error) {
	zr, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		return snapshot{}, fmt.Errorf("decompress entries: %w", err)
	}
	defer zr.Close()
	raw, err := io.ReadAll(zr)
	if err != nil {
		return snapshot{}, fmt.Errorf("decompress entries: %w", err)
	}
	var snap snapshot
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &snap.Entries)
	} else {
		err = json.Unmarshal(raw, &snap)
	}
	if err != nil {
		return snapshot{}, fmt.Errorf("decode entries: %w", err)
	}
	return snap, nil
}

func decodeEntries(payload []byte) ([]Entry, error) {
	snap, err := decodeSnapshot(payload)
	return snap.Entries, err
}
