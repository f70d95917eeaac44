package monitor

import (
	"math/rand/v2"
	"time"
)

// A failing source is retried after 1m, 2m, 4m … up to 6h, each wait
// stretched by up to a fifth at random so that sources that failed together
// (a network outage) do not all come back in the same second.
const (
	backoffBase = time.Minute
	backoffMax  = 6 * time.Hour
)

// retryDelay is how long to leave a source alone after its failures-th
// consecutive failure. A Retry-After from the server wins when it asks for
// longer (it is still capped, so that a bogus header cannot silence a source
// for a year).
func retryDelay(failures int, retryAfter time.Duration) time.Duration {
	d := backoffMax
	if failures < 1 {
		failures = 1
	}
	if shift := failures - 1; shift < 16 && backoffBase<<shift < backoffMax {
		d = backoffBase << shift
	}
	d += rand.N(d/5 + 1)
	d = max(d, retryAfter)
	return min(d, backoffMax)
}
