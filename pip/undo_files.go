package pip

import (
	"strings"
	"sync"

	"github.com/pipup/pipup/pypi/httpcache"
)

// undoFiles fetches the wheels of the versions an undo restores through
// pipup's HTTP cache into the run's find-links directory, where the native
// installer (or pip, under --installer pip) takes them. While pipup still
// has them cached (it downloaded them for an earlier upgrade or undo), undo
// needs no download; each one it must download again is said once, by
// name. A version the indexes no longer list, an sdist, or a file that
// cannot be fetched is left to pip, which may still find it in its own
// cache or on the index.
//
// As in an upgrade, the packages whose wheels are at hand and whose
// dependencies are met install from those files alone (pip with
// --no-index, which would otherwise take the index's copy of the same file
// over the local one); the others may use the indexes.
func (u *upgrader) undoFiles(items []*planItem, dists []Dist) {
	defer func() {
		var fetched []*planItem
		for _, it := range items {
			if it.file == "" {
				it.needsIndex = "no wheel fetched by pipup"
			} else {
				fetched = append(fetched, it)
			}
		}
		u.markDependencies(fetched, dists)
	}()
	if u.e.finder == nil || u.e.Client() == nil {
		return
	}
	cacheDir := ""
	if u.e.CacheDir != "" {
		cacheDir = HTTPCacheDir(u.e.CacheDir)
	}
	// Every version is looked up and fetched at once, bounded as the scan
	// is: one at a time, an undo of 200 packages waited for 400 round trips.
	// The notes are sent afterwards, in the order of items.
	notes := make([][]string, len(items))
	sem := make(chan struct{}, max(1, u.e.opts.Concurrency))
	var wg sync.WaitGroup
	for i, it := range items {
		if u.ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			notes[i] = u.undoFile(it, cacheDir)
		}()
	}
	wg.Wait()
	for i, it := range items {
		for _, n := range notes[i] {
			u.note(it, n)
		}
	}
}

// undoFile finds and fetches the wheel of one restored version; it returns
// what to tell the user about it.
func (u *upgrader) undoFile(it *planItem, cacheDir string) (notes []string) {
	res, err := u.e.finder.FindAll(u.ctx, it.name, true)
	if err != nil {
		return []string{"could not look it up on the index (" + oneLineErr(err) + "); pip will try"}
	}
	var cand *CandidateFile
	for i := range res.Versions {
		if c := res.Versions[i]; c.Wheel && sameVersion(c.Version.String(), it.to) {
			f := candidateFile(&c)
			cand = &f
			break
		}
	}
	if cand == nil {
		return nil // not a wheel on the index, or no longer listed: pip's to find
	}
	it.cand = *cand
	if !httpcache.Holds(cacheDir, cand.URL) {
		notes = append(notes, "its wheel is no longer in pipup's cache: downloading it again")
	}
	if err := u.download(it); err != nil {
		it.file = ""
		notes = append(notes, strings.TrimSpace(err.Error())+"; pip will try the index")
	}
	return notes
}

// note tells the user something about one package that is not an outcome.
func (u *upgrader) note(it *planItem, text string) {
	u.send(UpgradeNote{Name: it.name, Version: it.to, Text: text})
}
