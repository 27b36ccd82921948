//go:build unix

package integration_test

import "syscall"

// cpuTime returns the CPU time this process has used, user and system, in
// nanoseconds; the engine's own CPU time is not included.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
