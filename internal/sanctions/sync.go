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
// stores nothing and keeps the active version: the caller retries later. The
// first version is a baseline without alerts. A version that drops more
// than MaxDrop of the entries is stored held, without alerts. Otherwise the
// version becomes active together with one designation alert per change,
// queued for targets(alert).
func (s *Syncer) Sync(ctx context.Context, l rules.List, targets func(alert.Alert) []string) (Result, error) {
	res := Result{List: l.Name}
	entries, err := s.Fetch(ctx, l)
	if err != nil {
		s.log().Warn("list sync failed; the active version stays", "list", l.Name, "err", err)
		return res, fmt.Errorf("sync list %s: %w", l.Name, err)
	}
	res.Count = len(entries)
	v, err := s.newVersion(l.Name, entries)
	if err != nil {
		return res, err
	}
	active, ok, err := s.Store.LatestListVersion(ctx, l.Name)
	if err != nil {
		return res, fmt.Errorf("sync list %s: %w", l.Name, err)
	}
	switch {
	case !ok:
		res.Baseline = true
		return s.save(ctx, res, v, nil)
	case active.Hash == v.Hash:
		res.Unchanged = true
		return s.supersedeHeld(ctx, res, v)
	}
	if reason := s.dropReason(active.Count, v.Count); reason != "" {
		return s.hold(ctx, res, v, reason)
	}
	old, err := decodeEntries(active.Payload)
	if err != nil {
		return res, fmt.Errorf("sync list %s: active version %d: %w", l.Name, active.ID, err)
	}
	res.Changes = Diff(old, entries)
	return s.save(ctx, res, v, designationAlerts(l, res.Changes, targets, s.now()))
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

// dropReason explains why a version shrinking from before to after entries
// must be held, or returns "".
func (s *Syncer) dropReason(before, after int) string {
	maxDrop := s.MaxDrop
	if maxDrop <= 0 {
		maxDrop = DefaultMaxDrop
	}
	if before == 0 || float64(before-after) <= maxDrop*float64(before) {
		return ""
	}
	return fmt.Sprintf("entry count dropped from %d to %d (%.0f%%, more than %.0f%%)",
		before, after, 100*float64(before-after)/float64(before), 100*maxDrop)
}

func (s *Syncer) newVersion(list string, entries []Entry) (store.ListVersion, error) {
	payload, hash, err := encodeEntries(entries)
	if err != nil {
		return store.ListVersion{}, fmt.Errorf("sync list %s: %w", list, err)
	}
	return store.ListVersion{List: list, Hash: hash, Count: len(entries), Payload: payload, FetchedAt: s.now()}, nil
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
	switch strings.ToLower(l.Format) {
	case "un":
		rc, err := s.Open(ctx, l.URL)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", l.URL, err)
		}
		defer rc.Close()
		return ParseUN(rc, l.Name)
	case "ofac":
		return s.fetchOFAC(ctx, l)
	default:
		return nil, fmt.Errorf("unknown list format %q", l.Format)
	}
}

// fetchOFAC opens sdn.csv and the add.csv and alt.csv beside it. All three
// are required here: a version without its aliases would read as every
// alias removed.
func (s *Syncer) fetchOFAC(ctx context.Context, l rules.List) ([]Entry, error) {
	var files [3]io.Reader
	for i, kind := range []string{"sdn", "add", "alt"} {
		u, err := SiblingURL(l.URL, kind)
		if err != nil {
			return nil, err
		}
		rc, err := s.Open(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", u, err)
		}
		defer rc.Close()
		files[i] = rc
	}
	return ParseOFAC(files[0], files[1], files[2], l.Name)
}

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

// encodeEntries is the payload of a stored version: gzipped JSON, and the
// SHA-256 of the JSON, which tells identical versions apart from changed
// ones.
func encodeEntries(entries []Entry) (payload []byte, hash string, err error) {
	raw, err := json.Marshal(entries)
	if err != nil {
		return nil, "", fmt.Errorf("encode entries: %w", err)
	}
	sum := sha256.Sum256(raw)
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

func decodeEntries(payload []byte) ([]Entry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("decompress entries: %w", err)
	}
	defer zr.Close()
	var entries []Entry
	if err := json.NewDecoder(zr).Decode(&entries); err != nil {
		return nil, fmt.Errorf("decode entries: %w", err)
	}
	return entries, nil
}
