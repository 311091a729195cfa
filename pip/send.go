package pip

import (
	"context"
	"sync/atomic"
	"time"
)

// sendGrace is how long a send waits, once the run's context is cancelled,
// for a consumer to read. A consumer still following the run (the CLI
// printing a summary after Ctrl-C) reads in microseconds; one that stopped
// reading (a UI that quit) never does, and the run must still end and
// close its channel instead of blocking forever.
const sendGrace = 2 * time.Second

// sender delivers one run's events. Until ctx is cancelled a send waits
// as long as the consumer takes: the channel is the run's back-pressure.
// After, each send waits at most grace; once one times out, the consumer
// is taken to be gone and later events are dropped. Safe for concurrent use.
type sender[T any] struct {
	ctx   context.Context
	out   chan<- T
	grace time.Duration
	gone  atomic.Bool
}

func newSender[T any](ctx context.Context, out chan<- T) *sender[T] {
	return &sender[T]{ctx: ctx, out: out, grace: sendGrace}
}

// send delivers ev and reports whether the consumer got it.
func (s *sender[T]) send(ev T) bool {
	if s.gone.Load() {
		return false
	}
	select {
	case s.out <- ev:
		return true
	case <-s.ctx.Done():
	}
	// Cancelled: a consumer still reading gets the event (both cases of
	// the select above may have been ready); one that stopped does not
	// hold the run.
	timer := time.NewTimer(s.grace)
	defer timer.Stop()
	select {
	case s.out <- ev:
		return true
	case <-timer.C:
		s.gone.Store(true)
		return false
	}
}
