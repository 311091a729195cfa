package main

// runInteractive starts the terminal UI; until it lands, it lists.
func runInteractive(sig *interrupts, args []string, io stdio) int {
	return runList(sig, args, io)
}
