package pip

import (
	"github.com/pipup/pipup/pip/installer"
	"github.com/pipup/pipup/pypi"
)

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
			u.fail(it, pypi.RedactURL(err.Error()))
			continue
		}
		u.succeed(it)
	}
}
