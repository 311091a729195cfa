package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts turns SIGINT/SIGTERM into context cancellation. The first
// signal cancels ctx; later ones call the repeat hook, so a command that is
// finishing a pip run can say so instead of dying mid-install.
type interrupts struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan os.Signal
	done   chan struct{}

	mu       sync.Mutex
	n        int
	onRepeat func(n int)
}

func newInterrupts() *interrupts {
	ctx, cancel := context.WithCancel(context.Background())
	s := &interrupts{ctx: ctx, cancel: cancel, ch: make(chan os.Signal, 4), done: make(chan struct{})}
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM)
	go s.loop()
	return s
}

func (s *interrupts) loop() {
	for {
		select {
		case <-s.done:
			return
		case <-s.ch:
			s.mu.Lock()
			s.n++
			n, hook := s.n, s.onRepeat
			s.mu.Unlock()
			if n == 1 {
				s.cancel()
			} else if hook != nil {
				hook(n)
			} else {
				// Nothing is in a state that needs finishing: leave now.
				os.Exit(exitInterrupted)
			}
		}
	}
}

// interrupted reports whether a signal arrived.
func (s *interrupts) interrupted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n > 0
}

// setRepeat installs the hook for the second and later signals.
func (s *interrupts) setRepeat(f func(n int)) {
	s.mu.Lock()
	s.onRepeat = f
	s.mu.Unlock()
}

func (s *interrupts) stop() {
	signal.Stop(s.ch)
	close(s.done)
	s.cancel()
}
