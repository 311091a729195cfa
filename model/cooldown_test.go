package model

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// The details line tells the target version's release date and age (from
// the model's clock) and the cooldown's note; a row whose upload time is
// unknown says nothing of a date.
func TestDetailsReleaseAndCooldown(t *testing.T) {
	fresh := pkg("fresh", "1.0", "2.0", pip.BumpMajor, "")
	fresh.Candidate.Uploaded = t0.Add(-4*24*time.Hour - time.Hour)
	fresh.Cooldown = &pip.CooldownNote{Version: "2.0", Held: true, Uploaded: fresh.Candidate.Uploaded, Age: 4 * 24 * time.Hour, Cooldown: 7 * 24 * time.Hour}
	old := pkg("old", "1.0", "1.1", pip.BumpMinor, "")
	old.Candidate.Uploaded = t0.Add(-30 * time.Minute)
	unknown := pkg("unknown", "1.0", "1.1", pip.BumpMinor, "")
	unknown.Cooldown = &pip.CooldownNote{Version: "1.1", Cooldown: 7 * 24 * time.Hour}
	plain := pkg("plain", "1.0", "1.1", pip.BumpMinor, "")
	events := []pip.ScanEvent{pip.ScanStarted{Total: 4}, fresh, old, unknown, plain, pip.ScanDone{Checked: 4, Outdated: 4}}

	m := newTest((&fakes{}).engines(), venv, &clock{t: t0})
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 160, Height: 30}, scanBatchMsg{closed: true, events: events})
	if m.phase != phaseChoosing {
		t.Fatalf("phase %v", m.phase)
	}
	want := map[string]string{
		"fresh":   "released 2024-12-29, 4 days ago · 2.0 is 4 days old (cooldown 7d)",
		"old":     "released 2025-01-02, 30 minutes ago",
		"unknown": "age of 1.1 unknown (cooldown 7d)",
		"plain":   "",
	}
	seen := map[string]bool{}
	for range m.choose.choice.Len() {
		name := cur(m)
		_, d2 := m.choose.detailsView()
		seen[name] = true
		if w, ok := want[name]; ok {
			if w == "" && (strings.Contains(d2, "released") || strings.Contains(d2, "cooldown")) {
				t.Errorf("%s: details %q, want no release or cooldown note", name, d2)
			} else if !strings.Contains(d2, w) {
				t.Errorf("%s: details %q, want %q", name, d2, w)
			}
		}
		m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyDown})
	}
	if len(seen) != len(want) {
		t.Errorf("visited %v", seen)
	}
}
