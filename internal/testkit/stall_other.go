//go:build !linux

package testkit

import "testing"

// StalledPort skips the test: it needs Linux's TCP_INFO on a listener.
func StalledPort(t testing.TB) int {
	t.Skip("StalledPort needs Linux")
	return 0
}
