package model

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
)

// Golden screens, rendered with the colour profile fixed to ASCII. Run
// `go test ./model -update` to regenerate them after a deliberate change,
// and read the diff.

var goldenSizes = [][2]int{{80, 24}, {120, 40}}

func forSizes(t *testing.T, screen func(t *testing.T, w, h int) Model) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, screen(t, sz[0], sz[1]).View())
		})
	}
}

func TestGoldenScanning(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		c := &clock{t: t0}
		m := newTest((&fakes{}).engines(), venv, c)
		m, _ = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
		c.Set(1500 * time.Millisecond)
		m, _ = update(t, m, scanBatchMsg{events: scanEvents()[:20]}, tickMsg{id: m.tickID, t: c.Now()})
		return m
	})
}

func TestGoldenChoosing(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		f := &fakes{details: map[string]Details{"urllib3": {Links: []Link{
			{"home", "https://github.com/urllib3/urllib3"}, {"changelog", "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst"}}}}}
		m := scanned(t, f, w, h)
		m, _ = update(t, m, keys("down")...)
		m, _ = update(t, m, detailsMsg{name: "urllib3", details: f.details["urllib3"]})
		return m
	})
}

func TestGoldenChoosingFullHelp(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		m := scanned(t, &fakes{}, w, h)
		m, _ = update(t, m, keys("s", "end", "?")...)
		return m
	})
}

func TestGoldenConfirming(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		m := scanned(t, &fakes{}, w, h)
		m, _ = update(t, m, keys("end", "up", "up", "up", "up", "up", "up", "up", "space")...) // + Django
		m, _ = update(t, m, confirmRequestedMsg{})
		return m
	})
}

func TestGoldenUpgrading(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		c := &clock{t: t0}
		m := confirming(t, &fakes{}, w, h)
		m.now = c.Now
		m, _ = update(t, m, upgradeApprovedMsg{})
		c.Set(3200 * time.Millisecond)
		m, _ = update(t, m, upgradeBatchMsg{events: upgradeMidway()}, tickMsg{id: m.tickID, t: c.Now()})
		return m
	})
}

func TestGoldenSummary(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		m := upgrading(t, &fakes{}, w, h)
		m, _ = update(t, m, upgradeBatchMsg{events: upgradeMidway()})
		m, _ = update(t, m, upgradeBatchMsg{events: upgradeEnd(false)})
		return m
	})
}

func TestGoldenSummaryCancelled(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		m := upgrading(t, &fakes{}, w, h)
		m, _ = update(t, m, upgradeBatchMsg{events: upgradeMidway()})
		m, _ = update(t, m, keyMsg("ctrl+c"))
		m, _ = update(t, m, upgradeBatchMsg{events: upgradeEnd(true)})
		return m
	})
}

func TestGoldenConfirmingPlanning(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		m, _ := planning(t, &fakes{plan: fullPlan()}, w, h)
		return m
	})
}

func TestGoldenConfirmingPlan(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		m, cmd := planning(t, &fakes{plan: fullPlan()}, w, h)
		return answer(t, m, cmd)
	})
}
