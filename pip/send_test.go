package pip

import (
	"context"
	"testing"
	"time"
)

// TestSenderConsumerStopped: a consumer that stopped reading and whose run
// was cancelled does not keep the sending goroutine alive; one still
// reading gets every event, cancelled or not.
func TestSenderConsumerStopped(t *testing.T) {
	tests := []struct {
		name    string
		reading bool
	}{
		{"consumer stopped reading", false},
		{"consumer still reading", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			out := make(chan int) // unbuffered: every send needs the consumer
			s := newSender(ctx, out)
			s.grace = 10 * time.Millisecond
			const events = 5
			ended := make(chan int)
			go func() {
				n := 0
				for i := range events {
					if s.send(i) {
						n++
					}
				}
				close(out)
				ended <- n
			}()
			cancel()
			got := 0
			if tt.reading {
				for range out {
					got++
				}
			}
			delivered := <-ended // blocks forever (test timeout) if the sender leaks
			if tt.reading && (got != events || delivered != events) {
				t.Errorf("live consumer got %d events, sender delivered %d; want %d", got, delivered, events)
			}
			if !tt.reading && delivered != 0 {
				t.Errorf("sender says %d events were delivered to a consumer that never read", delivered)
			}
		})
	}
}
