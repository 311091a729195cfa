// Package model is pipup's Bubble Tea user interface. It renders the events
// the pip engines send and sends commands back; it owns no engine logic.
package model
