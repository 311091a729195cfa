package pip

import (
	"sync"

	"github.com/pipup/pipup/pip/installer"
	"github.com/pipup/pipup/pypi/pep440"
)

// resolveFiles finds, for each package an undo restores, the file pip
// would pick for its exact old version on the configured sources, and
// downloads and verifies it, so the native installer can put it back. A
// version no source offers any more is left without a file: pip then
// tries it (its cache may still hold it), or, without pip, it fails.
func (u *upgrader) resolveFiles(items []*planItem) {
	if u.e.finder == nil {
		return
	}
	sem := make(chan struct{}, max(1, DefaultConcurrency))
	var wg sync.WaitGroup
	for _, it := range items {
		want, err := pep440.Parse(it.to)
		if err != nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := u.e.finder.FindAll(u.ctx, it.canonical, true)
			if err != nil {
				return
			}
			for i := range res.Versions {
				if res.Versions[i].Version.Equal(want) {
					it.cand = candidateFile(&res.Versions[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	var fetch []*planItem
	for _, it := range items {
		if it.cand.URL != "" {
			fetch = append(fetch, it)
		}
	}
	u.fetchAll(fetch)
}

// uninstallAny removes the packages an upgrade added: natively, unless
// --installer pip.
func (u *upgrader) uninstallAny(items []*planItem) {
	if !u.nativeMode() {
		u.uninstall(items)
		return
	}
	target, err := u.e.Interp.InstallTarget()
	if err != nil {
		u.failAll(items, err.Error())
		return
	}
	dists, err := InstalledDists(u.e.Interp)
	if err != nil {
		u.failAll(items, "read installed packages: "+err.Error())
		return
	}
	byName := make(map[string]Dist, len(dists))
	for _, d := range dists {
		byName[d.Canonical] = d
	}
	for _, it := range items {
		if u.ctx.Err() != nil {
			return
		}
		d := byName[it.canonical]
		if d.Format != "dist-info" {
			if u.hasPip() {
				u.uninstall([]*planItem{it})
			} else {
				u.fail(it, u.noPipReason("it is installed as "+d.Format+": removing it"))
			}
			continue
		}
		u.send(UpgradeProgress{Name: it.name, Stage: StageInstalling})
		if _, err := installer.Uninstall(u.ctx, target, d.Path); err != nil {
			u.fail(it, redactText(err.Error()))
			continue
		}
		u.succeed(it)
	}
}
