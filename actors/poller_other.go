//go:build !linux

package actors

import "syscall"

// idleReaders would park the readers of idle sockets; see poller_linux.go. Elsewhere a
// reader waits for data on its own goroutine for as long as its socket is open.
var idleReaders poller

const canPark = false

type poller struct{}

type parked struct{}

func (*poller) park(syscall.RawConn, *parked, func()) bool { return false }

func (*poller) cancel(*parked) bool { return false }

func (*poller) woken() {}

func peekReadable(syscall.RawConn) bool { return true }
