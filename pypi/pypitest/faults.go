package pypitest

// Fault describes how the server misbehaves for a project's requests (its
// page, files and metadata files) or, with project "", for every request.
type Fault struct {
	// Status is the HTTP status to answer with instead of the content,
	// e.g. 503. Zero means no status fault (but 503 when RetryAfter is set).
	Status int
	// Times is how many requests the fault affects; 0 means all of them.
	Times int
	// Hang never answers: the handler waits until the request's context
	// ends (client gave up) or the server closes.
	Hang bool
	// Garbage answers 200 with the content type the client would have got
	// but a broken body: truncated JSON, mangled HTML, or junk bytes of the
	// right length for a file.
	Garbage bool
	// RetryAfter is sent as the Retry-After header with a status fault.
	RetryAfter string
	// WrongContentType sends the real body with Content-Type text/plain
	// (pages) or text/html (files).
	WrongContentType bool
}

type faultState struct {
	f    Fault
	left int // remaining uses when f.Times > 0
}

// Fail installs a fault for a project (normalised) or, with "", for all
// requests. A project's own fault takes precedence over the global one. It
// replaces any fault previously set for the same key.
func (s *Server) Fail(project string, f Fault) {
	key := ""
	if project != "" {
		key = normalize(project)
	}
	if f.Status == 0 && f.RetryAfter != "" {
		f.Status = 503
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[key] = &faultState{f: f, left: f.Times}
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// takeFault returns the fault that applies to a request in the scope of
// project ("" for requests outside any project) and uses it up once.
func (s *Server) takeFault(project string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := []string{""}
	if project != "" {
		keys = []string{project, ""}
	}
	for _, k := range keys {
		st, ok := s.faults[k]
		if !ok {
			continue
		}
		if st.f.Times > 0 {
			st.left--
			if st.left <= 0 {
				delete(s.faults, k)
			}
		}
		return st.f, true
	}
	return Fault{}, false
}

// garbage returns a broken body that still looks like contentType.
func garbage(contentType string, size int) []byte {
	switch {
	case contentType == mimeJSON:
		return []byte(`{"meta": {"api-version": "1.1"}, "name": "broken", "files": [{"filename": "`)
	case contentType == mimeHTML || contentType == mimeTextHTML:
		return []byte("<!DOCTYPE html>\n<html><head><title>Links for</ti\x00\x00<a href=\"../../fi")
	}
	if size <= 0 {
		size = 64
	}
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(0xde + i%3)
	}
	return b
}
