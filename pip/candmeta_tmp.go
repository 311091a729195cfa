package pip

import (
	"context"
	"errors"
	"io"
)

// candidateMetadata reads a candidate's PEP 658 metadata. (Replaced by the
// fuller version with JSON-API and wheel fallbacks on the meta branch.)
func (e *Env) candidateMetadata(ctx context.Context, name, version string, cand CandidateFile) (Metadata, error) {
	if cand.MetadataURL == "" {
		return Metadata{}, errors.New("the index serves no metadata for it")
	}
	body, _, err := e.client.Open(ctx, cand.MetadataURL)
	if err != nil {
		return Metadata{}, err
	}
	defer body.Close()
	return ParseMetadata(io.LimitReader(body, maxMetadata))
}
