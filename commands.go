package main

// command runs one subcommand with its arguments and returns the exit code.
type command func(sig *interrupts, args []string, io stdio) int

// extraCommands maps the subcommands that live in their own files.
func extraCommands(name string) (command, bool) {
	switch name {
	case "upgrade":
		return runUpgrade, true
	case "undo":
		return runUndo, true
	case "history":
		return runHistory, true
	}
	return nil, false
}
