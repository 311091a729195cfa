package pypitest

import (
	"net/http"
	"sync"
)

// apiGateKey holds every JSON API answer; other keys are file names,
// which are never empty.
const apiGateKey = ""

// HoldFile makes downloads of the distribution file filename wait until
// release is called (or the request ends), so a test can keep one
// download in flight while the others finish. Its metadata file is not
// held. release may be called more than once.
func (s *Server) HoldFile(filename string) (release func()) { return s.hold(filename) }

// hold makes the answers passGate checks under key wait until release.
func (s *Server) hold(key string) (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	if s.gates == nil {
		s.gates = map[string]chan struct{}{}
	}
	s.gates[key] = gate
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.gates, key)
			s.mu.Unlock()
			close(gate)
		})
	}
}

// passGate waits while key is held; false if the request ended first.
func (s *Server) passGate(r *http.Request, key string) bool {
	s.mu.RLock()
	gate := s.gates[key]
	s.mu.RUnlock()
	if gate == nil {
		return true
	}
	select {
	case <-gate:
		return true
	case <-r.Context().Done():
		return false
	}
}
