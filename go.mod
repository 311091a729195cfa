module github.com/pipup/pipup

go 1.26.8

require (
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
)
