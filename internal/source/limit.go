package source

import (
	"context"
	"sync"
)

// semaphore bounds concurrent holders; acquire gives up with its context.
type semaphore chan struct{}

func (s semaphore) acquire(ctx context.Context) error {
	select {
	case s <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s semaphore) release() { <-s }

// hostLimiter keeps at most perHost fetches running against one host. A host's
// entry lives only while someone holds or awaits it, so article links from
// thousands of sites do not accumulate.
type hostLimiter struct {
	perHost int

	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem  semaphore
	refs int // holders plus waiters
}

func newHostLimiter(perHost int) *hostLimiter {
	return &hostLimiter{perHost: perHost, hosts: make(map[string]*hostSlot)}
}

// acquire waits for a slot on host; on success the caller must call release.
func (l *hostLimiter) acquire(ctx context.Context, host string) error {
	slot := l.ref(host)
	if err := slot.sem.acquire(ctx); err != nil {
		l.unref(host, slot)
		return err
	}
	return nil
}

func (l *hostLimiter) release(host string) {
	l.mu.Lock()
	slot := l.hosts[host]
	l.mu.Unlock()
	slot.sem.release()
	l.unref(host, slot)
}

func (l *hostLimiter) ref(host string) *hostSlot {
	l.mu.Lock()
	defer l.mu.Unlock()
	slot, ok := l.hosts[host]
	if !ok {
		slot = &hostSlot{sem: make(semaphore, l.perHost)}
		l.hosts[host] = slot
	}
	slot.refs++
	return slot
}

func (l *hostLimiter) unref(host string, slot *hostSlot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slot.refs--
	if slot.refs == 0 {
		delete(l.hosts, host)
	}
}

// size is the number of hosts with holders or waiters.
func (l *hostLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hosts)
}

// refs is the number of holders and waiters on host.
func (l *hostLimiter) refs(host string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if slot, ok := l.hosts[host]; ok {
		return slot.refs
	}
	return 0
}
