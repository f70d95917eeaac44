package store

import (
	"database/sql"
	"time"
)

// Times are stored as INTEGER Unix nanoseconds in UTC, so they sort and
// compare in SQL and come back exactly; the zero time is NULL.

func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().UnixNano()
}

func goTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
