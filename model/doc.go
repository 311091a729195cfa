// Package model is pipup's Bubble Tea user interface. It renders the events
// the pip engines send and sends commands back; it owns no engine logic:
// the table's versions, pre-selection and pairs come from a pip.Choice,
// which the model keeps as state and asks what each key does.
package model
