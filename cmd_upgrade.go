package main

import "fmt"

// Placeholders until the upgrade engine lands.
func runUpgrade(sig *interrupts, args []string, io stdio) int {
	fmt.Fprintln(io.err, "pipup: upgrade is not available yet")
	return exitFailed
}

func runUndo(sig *interrupts, args []string, io stdio) int { return runUpgrade(sig, args, io) }

func runHistory(sig *interrupts, args []string, io stdio) int { return runUpgrade(sig, args, io) }
